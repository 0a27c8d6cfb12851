//! The VAT report of a period, for the merchant's VAT return: basket lines
//! per VAT rate (taxable base, VAT, gross, number of lines, shipping lines
//! included), and invoice checkouts apart, since their VAT is declared from
//! the Qonto invoice. As JSON for the admin page and as CSV.

use super::figures::Period;
use super::queries::{InvoiceSum, RateSum};
use super::tz::Zone;
use crate::csv::record;
use serde_json::{json, Value};
use shared::money::{Currency, Money};
use shared::vat::{VatRate, VatRateFormat};

/// The CSV's columns, in order.
pub(crate) const CSV_COLUMNS: &[&str] = &[
    "section",
    "vat_rate",
    "lines",
    "shipping_lines",
    "net",
    "vat",
    "gross",
    "currency",
    "checkout_id",
    "invoice_number",
    "debitor",
    "paid_at",
    "period_from",
    "period_to",
    "time_zone",
];

/// A period's VAT report.
pub(crate) struct VatReport<'a> {
    pub(crate) currency: Currency,
    pub(crate) zone: &'a Zone,
    pub(crate) period: Period,
    /// Sorted by rate, ascending.
    pub(crate) rates: Vec<RateSum>,
    pub(crate) invoices: Vec<InvoiceSum>,
}

/// Sums of a report section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) lines: i64,
    pub(crate) net: i64,
    pub(crate) vat: i64,
    pub(crate) gross: i64,
}

impl<'a> VatReport<'a> {
    /// The report, its rates sorted numerically (`"5.5"` before `"20.0"`).
    pub(crate) fn new(
        currency: Currency,
        zone: &'a Zone,
        period: Period,
        mut rates: Vec<RateSum>,
        invoices: Vec<InvoiceSum>,
    ) -> VatReport<'a> {
        rates.sort_by_key(|r| {
            VatRate::parse(&r.rate, VatRateFormat::Percent)
                .map(|v| v.basis_points())
                .unwrap_or(u32::MAX)
        });
        VatReport {
            currency,
            zone,
            period,
            rates,
            invoices,
        }
    }

    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.currency).to_decimal()
    }

    /// Totals of the basket lines.
    pub(crate) fn basket_totals(&self) -> Sums {
        self.rates.iter().fold(Sums::default(), |s, r| Sums {
            lines: s.lines + r.lines,
            net: s.net + r.net,
            vat: s.vat + r.vat,
            gross: s.gross + r.gross,
        })
    }

    /// Totals of the invoice checkouts.
    pub(crate) fn invoice_totals(&self) -> Sums {
        self.invoices.iter().fold(Sums::default(), |s, i| Sums {
            lines: s.lines + 1,
            net: s.net + i.net,
            vat: s.vat + i.vat,
            gross: s.gross + i.gross,
        })
    }

    /// The JSON answer.
    pub(crate) fn to_json(&self) -> Value {
        let sums = |s: Sums| json!({"lines": s.lines, "net": self.money(s.net), "vat": self.money(s.vat), "gross": self.money(s.gross)});
        json!({
            "currency": self.currency.as_str(),
            "time_zone": self.zone.name,
            "period": {"name": self.period.name, "from": self.period.from.to_string(), "to": self.period.to.to_string()},
            "rates": self.rates.iter().map(|r| json!({
                "vat_rate": r.rate,
                "lines": r.lines,
                "shipping_lines": r.shipping_lines,
                "net": self.money(r.net),
                "vat": self.money(r.vat),
                "gross": self.money(r.gross),
            })).collect::<Vec<_>>(),
            "basket_total": sums(self.basket_totals()),
            "invoices": self.invoices.iter().map(|i| json!({
                "checkout_id": i.id,
                "invoice_number": i.number,
                "debitor": i.debitor,
                "paid_at": i.paid_at,
                "net": self.money(i.net),
                "vat": self.money(i.vat),
                "gross": self.money(i.gross),
            })).collect::<Vec<_>>(),
            "invoice_total": sums(self.invoice_totals()),
        })
    }

    /// The CSV: one row per rate, the basket total, one row per invoice
    /// checkout, the invoice total.
    pub(crate) fn to_csv(&self) -> String {
        let cur = self.currency.as_str().to_owned();
        let (from, to) = (self.period.from.to_string(), self.period.to.to_string());
        let zone = self.zone.name.to_owned();
        let tail = [from, to, zone];
        let mut csv = record(CSV_COLUMNS);
        let row = |section: &str,
                   rate: &str,
                   lines: String,
                   shipping: String,
                   s: [i64; 3],
                   inv: [String; 4]| {
            let mut v = vec![
                section.to_owned(),
                rate.to_owned(),
                lines,
                shipping,
                self.money(s[0]),
                self.money(s[1]),
                self.money(s[2]),
                cur.clone(),
            ];
            v.extend(inv);
            v.extend(tail.iter().cloned());
            record(&v)
        };
        let none = || [String::new(), String::new(), String::new(), String::new()];
        for r in &self.rates {
            csv.push_str(&row(
                "rate",
                &r.rate,
                r.lines.to_string(),
                r.shipping_lines.to_string(),
                [r.net, r.vat, r.gross],
                none(),
            ));
        }
        let b = self.basket_totals();
        let shipping: i64 = self.rates.iter().map(|r| r.shipping_lines).sum();
        csv.push_str(&row(
            "basket_total",
            "",
            b.lines.to_string(),
            shipping.to_string(),
            [b.net, b.vat, b.gross],
            none(),
        ));
        for i in &self.invoices {
            csv.push_str(&row(
                "invoice",
                "",
                "1".into(),
                String::new(),
                [i.net, i.vat, i.gross],
                [
                    i.id.clone(),
                    i.number.clone().unwrap_or_default(),
                    i.debitor.clone().unwrap_or_default(),
                    i.paid_at.clone().unwrap_or_default(),
                ],
            ));
        }
        let t = self.invoice_totals();
        csv.push_str(&row(
            "invoice_total",
            "",
            t.lines.to_string(),
            String::new(),
            [t.net, t.vat, t.gross],
            none(),
        ));
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::tz::{Date, DEFAULT_ZONE};

    fn report() -> VatReport<'static> {
        let rate = |rate: &str, lines, shipping_lines, net, vat| RateSum {
            rate: rate.into(),
            lines,
            shipping_lines,
            net,
            vat,
            gross: net + vat,
        };
        let period = Period {
            name: "custom",
            from: Date::parse("2025-04-01").unwrap(),
            to: Date::parse("2025-04-30").unwrap(),
        };
        VatReport::new(
            Currency::EUR,
            &DEFAULT_ZONE,
            period,
            vec![rate("20.0", 3, 1, 5490, 1098), rate("5.5", 2, 0, 2098, 115)],
            vec![InvoiceSum {
                id: "ck_1".into(),
                paid_at: Some("2025-04-03T09:00:00.000Z".into()),
                number: Some("F-2025-001".into()),
                debitor: Some("=Evil; Corp".into()),
                net: 10000,
                vat: 2000,
                gross: 12000,
            }],
        )
    }

    #[test]
    fn rates_are_sorted_and_totalled() {
        let r = report();
        assert_eq!(r.rates[0].rate, "5.5");
        assert_eq!(
            r.basket_totals(),
            Sums {
                lines: 5,
                net: 7588,
                vat: 1213,
                gross: 8801
            }
        );
        let j = r.to_json();
        assert_eq!(j["basket_total"]["vat"], "12.13");
        assert_eq!(j["invoice_total"]["gross"], "120.00");
        assert_eq!(j["time_zone"], "Europe/Paris");
    }

    #[test]
    fn the_csv_has_its_columns_and_defused_cells() {
        let csv = report().to_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "rate,5.5,2,0,20.98,1.15,22.13,EUR,,,,,2025-04-01,2025-04-30,Europe/Paris"
        );
        assert_eq!(
            lines[3],
            "basket_total,,5,1,75.88,12.13,88.01,EUR,,,,,2025-04-01,2025-04-30,Europe/Paris"
        );
        assert_eq!(
            lines[4],
            "invoice,,1,,100.00,20.00,120.00,EUR,ck_1,F-2025-001,\"'=Evil; Corp\",2025-04-03T09:00:00.000Z,2025-04-01,2025-04-30,Europe/Paris"
        );
        assert!(lines[5].starts_with("invoice_total,,1,,100.00,20.00,120.00"));
    }
}
