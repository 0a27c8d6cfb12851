//! The dashboard's pure logic, tested on the host: which period the
//! merchant asked for and which UTC instants it covers in the report's time
//! zone, and how the integer sums that D1 returns become the figures
//! (conversion, average basket, top products, revenue per day).
//!
//! Amounts stay integer cents end to end: D1 sums the ledger's integer
//! columns, and they become decimal strings only in the JSON answer.

use super::tz::{rfc3339, Date, Zone, DAY_SECS};
use serde::Deserialize;
use serde_json::{json, Value};
use shared::money::{Currency, Money};

/// The longest custom period: a year and a day (an annual VAT return over a
/// leap year).
pub(crate) const MAX_PERIOD_DAYS: i64 = 366;

/// A period of whole local days, `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    /// `today`, `7d`, `30d`, `month` or `custom`.
    pub(crate) name: &'static str,
    pub(crate) from: Date,
    pub(crate) to: Date,
}

/// A query parameter that does not make a period: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeriodError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

fn period_error(field: &'static str, message: impl Into<String>) -> PeriodError {
    PeriodError {
        field,
        message: message.into(),
    }
}

impl Period {
    /// The period of `?period=&from=&to=`, `today` being the local date now.
    /// The default is the last 30 days.
    pub(crate) fn resolve(
        name: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: Date,
    ) -> Result<Period, PeriodError> {
        let name = name.unwrap_or("30d");
        if name != "custom" {
            // A day given with a named period would be silently ignored:
            // the merchant would read figures for another period than asked.
            if let Some(field) = [("from", from), ("to", to)]
                .into_iter()
                .find_map(|(field, v)| v.map(|_| field))
            {
                return Err(period_error(
                    field,
                    format!("{field} is only for period=custom"),
                ));
            }
        }
        let (name, from, to) = match name {
            "today" => ("today", today, today),
            "7d" => ("7d", today.add_days(-6), today),
            "30d" => ("30d", today.add_days(-29), today),
            "month" => ("month", today.first_of_month(), today),
            "custom" => {
                let date = |field: &'static str, v: Option<&str>| {
                    v.and_then(Date::parse).ok_or_else(|| {
                        period_error(field, format!("{field} must be a date like 2025-01-31"))
                    })
                };
                let (from, to) = (date("from", from)?, date("to", to)?);
                if to < from {
                    return Err(period_error("to", "to must not be before from"));
                }
                if to.days() - from.days() + 1 > MAX_PERIOD_DAYS {
                    return Err(period_error(
                        "to",
                        format!("a period is at most {MAX_PERIOD_DAYS} days"),
                    ));
                }
                ("custom", from, to)
            }
            _ => {
                return Err(period_error(
                    "period",
                    "period must be one of today, 7d, 30d, month, custom",
                ))
            }
        };
        Ok(Period { name, from, to })
    }

    /// Number of days.
    pub(crate) fn len(&self) -> i64 {
        self.to.days() - self.from.days() + 1
    }

    /// As many days just before this period (drawn faintly behind it).
    pub(crate) fn previous(&self) -> Period {
        Period {
            name: "previous",
            from: self.from.add_days(-self.len()),
            to: self.from.add_days(-1),
        }
    }

    /// `[start, end)` as the ledger's RFC 3339 UTC strings.
    pub(crate) fn bounds(&self, zone: &Zone) -> (String, String) {
        (
            rfc3339(zone.midnight(self.from)),
            rfc3339(zone.midnight(self.to.add_days(1))),
        )
    }

    /// Each local day with its `[start, end)` in UTC.
    pub(crate) fn days(&self, zone: &Zone) -> Vec<(Date, String, String)> {
        (0..self.len())
            .map(|i| {
                let day = self.from.add_days(i);
                (
                    day,
                    rfc3339(zone.midnight(day)),
                    rfc3339(zone.midnight(day.add_days(1))),
                )
            })
            .collect()
    }
}

/// Today's local date for a Unix time in milliseconds.
pub(crate) fn today(zone: &Zone, now_ms: f64) -> Date {
    zone.local_date((now_ms / 1000.0).floor() as i64)
}

/// One hour before `now_ms`, RFC 3339: an open checkout created before is
/// abandoned.
pub(crate) fn abandoned_before(now_ms: f64) -> String {
    rfc3339((now_ms / 1000.0).floor() as i64 - 3600)
}

/// Paid orders of a period, summed by D1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct PaidTotals {
    pub(crate) orders: i64,
    #[serde(default)]
    pub(crate) net: Option<i64>,
    #[serde(default)]
    pub(crate) vat: Option<i64>,
    #[serde(default)]
    pub(crate) gross: Option<i64>,
}

/// How the checkouts started in a period ended, counted by D1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Outcomes {
    pub(crate) started: i64,
    #[serde(default)]
    pub(crate) paid: Option<i64>,
    #[serde(default)]
    pub(crate) abandoned: Option<i64>,
    #[serde(default)]
    pub(crate) failed: Option<i64>,
    #[serde(default)]
    pub(crate) expired: Option<i64>,
    #[serde(default)]
    pub(crate) canceled: Option<i64>,
}

/// One product's paid lines in a period, summed by D1.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct ProductSum {
    pub(crate) sku: String,
    pub(crate) title: Option<String>,
    pub(crate) quantity: i64,
    pub(crate) net: i64,
    pub(crate) gross: i64,
}

/// Paid revenue of one local day (index from the period's first day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) struct DaySum {
    pub(crate) day: i64,
    pub(crate) orders: i64,
    pub(crate) gross: i64,
}

/// A percentage with one decimal, rounded half up, from integers:
/// `percent(1, 3)` is `"33.3"`; `None` when there is nothing to divide.
pub(crate) fn percent(part: i64, whole: i64) -> Option<String> {
    if whole <= 0 {
        return None;
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    Some(format!("{}.{}", tenths / 10, tenths % 10))
}

/// The average basket in cents, rounded half up.
pub(crate) fn average(total: i64, count: i64) -> Option<i64> {
    (count > 0).then(|| (total + count / 2) / count)
}

/// The top `n` products by revenue and by quantity.
pub(crate) fn top_products(sums: &[ProductSum], n: usize) -> (Vec<&ProductSum>, Vec<&ProductSum>) {
    let mut by_revenue: Vec<&ProductSum> = sums.iter().collect();
    by_revenue.sort_by(|a, b| b.gross.cmp(&a.gross).then(a.sku.cmp(&b.sku)));
    let mut by_quantity = by_revenue.clone();
    by_quantity.sort_by(|a, b| b.quantity.cmp(&a.quantity).then(a.sku.cmp(&b.sku)));
    by_revenue.truncate(n);
    by_quantity.truncate(n);
    (by_revenue, by_quantity)
}

/// Revenue per day of the period, zeros included, with the previous
/// period's same-numbered day beside it.
pub(crate) fn daily(
    period: &Period,
    current: &[DaySum],
    previous: &[DaySum],
) -> Vec<(Date, DaySum, Date, DaySum)> {
    let find = |sums: &[DaySum], day: i64| {
        sums.iter()
            .copied()
            .find(|s| s.day == day)
            .unwrap_or(DaySum {
                day,
                orders: 0,
                gross: 0,
            })
    };
    let prev = period.previous();
    (0..period.len())
        .map(|i| {
            (
                period.from.add_days(i),
                find(current, i),
                prev.from.add_days(i),
                find(previous, i),
            )
        })
        .collect()
}

/// The dashboard's JSON answer.
pub(crate) struct Dashboard<'a> {
    pub(crate) currency: Currency,
    pub(crate) zone: &'a Zone,
    pub(crate) period: Period,
    pub(crate) paid: PaidTotals,
    pub(crate) previous_paid: PaidTotals,
    pub(crate) outcomes: Outcomes,
    pub(crate) products: Vec<ProductSum>,
    pub(crate) days: Vec<DaySum>,
    pub(crate) previous_days: Vec<DaySum>,
}

impl Dashboard<'_> {
    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.currency).to_decimal()
    }

    /// The answer, with the chart drawn as SVG.
    pub(crate) fn to_json(&self) -> Value {
        let paid = &self.paid;
        let gross = paid.gross.unwrap_or(0);
        let product = |p: &&ProductSum| {
            json!({
                "sku": p.sku,
                "title": p.title.clone().unwrap_or_else(|| p.sku.clone()),
                "quantity": p.quantity,
                "net": self.money(p.net),
                "gross": self.money(p.gross),
            })
        };
        let (by_revenue, by_quantity) = top_products(&self.products, 5);
        let days = daily(&self.period, &self.days, &self.previous_days);
        let previous = self.period.previous();
        let o = &self.outcomes;
        let paid_started = o.paid.unwrap_or(0);
        json!({
            "currency": self.currency.as_str(),
            "time_zone": self.zone.name,
            "period": {
                "name": self.period.name,
                "from": self.period.from.to_string(),
                "to": self.period.to.to_string(),
                "days": self.period.len(),
            },
            "previous_period": {
                "from": previous.from.to_string(),
                "to": previous.to.to_string(),
                "paid_orders": self.previous_paid.orders,
                "gross": self.money(self.previous_paid.gross.unwrap_or(0)),
            },
            "paid": {
                "orders": paid.orders,
                "gross": self.money(gross),
                "net": self.money(paid.net.unwrap_or(0)),
                "vat": self.money(paid.vat.unwrap_or(0)),
                "average_basket": average(gross, paid.orders).map(|a| self.money(a)),
            },
            "checkouts": {
                "started": o.started,
                "paid": paid_started,
                "conversion_percent": percent(paid_started, o.started),
                "abandoned": o.abandoned.unwrap_or(0),
                "failed": o.failed.unwrap_or(0),
                "expired": o.expired.unwrap_or(0),
                "canceled": o.canceled.unwrap_or(0),
            },
            "top_products_by_revenue": by_revenue.iter().map(product).collect::<Vec<_>>(),
            "top_products_by_quantity": by_quantity.iter().map(product).collect::<Vec<_>>(),
            "days": days.iter().map(|(date, cur, pdate, prev)| json!({
                "date": date.to_string(),
                "orders": cur.orders,
                "gross": self.money(cur.gross),
                "previous_date": pdate.to_string(),
                "previous_orders": prev.orders,
                "previous_gross": self.money(prev.gross),
            })).collect::<Vec<_>>(),
            "chart_svg": super::chart::svg(&days, self.currency),
        })
    }
}

/// The UTC seconds of an RFC 3339 timestamp as the ledger writes them
/// (`2025-03-31T22:30:00.000Z` or without milliseconds); `None` otherwise.
pub(crate) fn parse_utc(ts: &str) -> Option<i64> {
    let date = Date::parse(ts.get(0..10)?)?;
    if ts.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (h, m, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    Some(date.days() * DAY_SECS + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn periods_resolve_from_today() {
        let today = d("2025-04-10");
        let cases = [
            (Some("today"), "2025-04-10", "2025-04-10", 1),
            (Some("7d"), "2025-04-04", "2025-04-10", 7),
            (Some("30d"), "2025-03-12", "2025-04-10", 30),
            (None, "2025-03-12", "2025-04-10", 30),
            (Some("month"), "2025-04-01", "2025-04-10", 10),
        ];
        for (name, from, to, len) in cases {
            let p = Period::resolve(name, None, None, today).unwrap();
            assert_eq!(
                (p.from.to_string(), p.to.to_string(), p.len()),
                (from.into(), to.into(), len),
                "{name:?}"
            );
        }
        let p = Period::resolve(
            Some("custom"),
            Some("2025-01-01"),
            Some("2025-03-31"),
            today,
        )
        .unwrap();
        assert_eq!(p.len(), 90);
        let prev = p.previous();
        assert_eq!(
            (prev.from.to_string(), prev.to.to_string()),
            ("2024-10-03".into(), "2024-12-31".into())
        );
    }

    #[test]
    fn bad_periods_say_which_parameter() {
        let today = d("2025-04-10");
        let field = |n, f, t| Period::resolve(n, f, t, today).unwrap_err().field;
        assert_eq!(field(Some("week"), None, None), "period");
        assert_eq!(field(None, None, Some("AAA")), "to");
        assert_eq!(field(Some("7d"), Some("2025-01-01"), None), "from");
        assert_eq!(field(None, Some("2025-01-01"), Some("2025-01-31")), "from");
        assert_eq!(field(Some("custom"), None, Some("2025-01-01")), "from");
        assert_eq!(
            field(Some("custom"), Some("2025-01-01"), Some("2025-02-30")),
            "to"
        );
        assert_eq!(
            field(Some("custom"), Some("2025-02-01"), Some("2025-01-31")),
            "to"
        );
        assert_eq!(
            field(Some("custom"), Some("2024-01-01"), Some("2025-01-01")),
            "to"
        );
        assert!(Period::resolve(
            Some("custom"),
            Some("2024-01-01"),
            Some("2024-12-31"),
            today
        )
        .is_ok());
    }

    #[test]
    fn a_month_in_paris_starts_at_its_local_midnight() {
        let paris = Zone::by_name("Europe/Paris").unwrap();
        let april = Period::resolve(
            Some("custom"),
            Some("2025-04-01"),
            Some("2025-04-30"),
            d("2025-05-02"),
        )
        .unwrap();
        assert_eq!(
            april.bounds(&paris),
            (
                "2025-03-31T22:00:00.000Z".into(),
                "2025-04-30T22:00:00.000Z".into()
            )
        );
        let days = april.days(&paris);
        assert_eq!(days.len(), 30);
        assert_eq!(days[0].1, "2025-03-31T22:00:00.000Z");
        assert_eq!(days[29].2, "2025-04-30T22:00:00.000Z");
    }

    #[test]
    fn percentages_and_averages_are_integer_maths() {
        assert_eq!(percent(1, 3).as_deref(), Some("33.3"));
        assert_eq!(percent(2, 3).as_deref(), Some("66.7"));
        assert_eq!(percent(3, 3).as_deref(), Some("100.0"));
        assert_eq!(percent(0, 7).as_deref(), Some("0.0"));
        assert_eq!(percent(1, 0), None);
        assert_eq!(average(1001, 2), Some(501));
        assert_eq!(average(1000, 3), Some(333));
        assert_eq!(average(5, 0), None);
    }

    #[test]
    fn top_products_rank_by_revenue_and_by_quantity() {
        let p = |sku: &str, quantity, gross| ProductSum {
            sku: sku.into(),
            title: None,
            quantity,
            net: gross,
            gross,
        };
        let sums = vec![
            p("mug", 10, 1500),
            p("workshop", 1, 5400),
            p("coffee", 4, 4640),
            p("ebook", 10, 1000),
        ];
        let (rev, qty) = top_products(&sums, 3);
        assert_eq!(
            rev.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
            ["workshop", "coffee", "mug"]
        );
        assert_eq!(
            qty.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
            ["ebook", "mug", "coffee"]
        );
    }

    #[test]
    fn every_day_is_present_with_its_previous_day() {
        let p = Period::resolve(Some("7d"), None, None, d("2025-04-10")).unwrap();
        let days = daily(
            &p,
            &[DaySum {
                day: 2,
                orders: 3,
                gross: 900,
            }],
            &[DaySum {
                day: 0,
                orders: 1,
                gross: 100,
            }],
        );
        assert_eq!(days.len(), 7);
        assert_eq!(days[2].0.to_string(), "2025-04-06");
        assert_eq!(days[2].1.gross, 900);
        assert_eq!(days[0].2.to_string(), "2025-03-28");
        assert_eq!(days[0].3.gross, 100);
        assert_eq!(days[1].1.gross, 0);
    }

    #[test]
    fn ledger_timestamps_parse() {
        assert_eq!(parse_utc("1970-01-02T00:00:01.000Z"), Some(86_401));
        assert_eq!(parse_utc("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(parse_utc("garbage"), None);
    }
}
