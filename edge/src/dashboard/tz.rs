//! The report's time zone (`REPORT_TIME_ZONE`): which UTC instants a local
//! calendar day covers, so "today", "this month" and the VAT period follow
//! the merchant's clock and not UTC.
//!
//! Workers have no time-zone database, and a bundled one costs the edge
//! hundreds of kilobytes of wasm for zones a European merchant never uses.
//! The edge therefore knows a documented list of zones: UTC and the European
//! zones, which all follow the EU summer-time rule in force since 1996
//! (summer time from the last Sunday of March to the last Sunday of October,
//! switching at 01:00 UTC). Dates before 1996 use the same rule.

/// Seconds in a day.
pub(crate) const DAY_SECS: i64 = 86_400;

/// A supported time zone: its name and standard offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Zone {
    /// The IANA name, e.g. `Europe/Paris`.
    pub(crate) name: &'static str,
    /// Standard (winter) offset from UTC, in seconds.
    std_offset: i64,
    /// Whether the zone follows the EU summer-time rule.
    eu_summer_time: bool,
}

const fn eu(name: &'static str, hours: i64) -> Zone {
    Zone {
        name,
        std_offset: hours * 3600,
        eu_summer_time: true,
    }
}

/// Every zone `REPORT_TIME_ZONE` accepts.
pub(crate) const ZONES: &[Zone] = &[
    Zone {
        name: "UTC",
        std_offset: 0,
        eu_summer_time: false,
    },
    eu("Atlantic/Canary", 0),
    eu("Atlantic/Madeira", 0),
    eu("Europe/Dublin", 0),
    eu("Europe/Lisbon", 0),
    eu("Europe/London", 0),
    eu("Europe/Amsterdam", 1),
    eu("Europe/Berlin", 1),
    eu("Europe/Bratislava", 1),
    eu("Europe/Brussels", 1),
    eu("Europe/Budapest", 1),
    eu("Europe/Copenhagen", 1),
    eu("Europe/Ljubljana", 1),
    eu("Europe/Luxembourg", 1),
    eu("Europe/Madrid", 1),
    eu("Europe/Malta", 1),
    eu("Europe/Monaco", 1),
    eu("Europe/Oslo", 1),
    eu("Europe/Paris", 1),
    eu("Europe/Prague", 1),
    eu("Europe/Rome", 1),
    eu("Europe/Stockholm", 1),
    eu("Europe/Vienna", 1),
    eu("Europe/Warsaw", 1),
    eu("Europe/Zagreb", 1),
    eu("Europe/Zurich", 1),
    eu("Europe/Athens", 2),
    eu("Europe/Bucharest", 2),
    eu("Europe/Helsinki", 2),
    eu("Europe/Nicosia", 2),
    eu("Europe/Riga", 2),
    eu("Europe/Sofia", 2),
    eu("Europe/Tallinn", 2),
    eu("Europe/Vilnius", 2),
];

/// The default report time zone.
pub(crate) const DEFAULT_ZONE: Zone = eu("Europe/Paris", 1);

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
}

impl Date {
    /// `2025-03-31`; `None` for anything else or a day that does not exist.
    pub(crate) fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = s.get(r)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let year = digits(0..4)?;
        let month = u32::try_from(digits(5..7)?).ok()?;
        let day = u32::try_from(digits(8..10)?).ok()?;
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(date)
    }

    /// Days since 1970-01-01 (negative before).
    pub(crate) fn days(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// The date `days` after 1970-01-01.
    pub(crate) fn from_days(days: i64) -> Date {
        let (year, month, day) = civil_from_days(days);
        Date { year, month, day }
    }

    /// This date plus `n` days.
    pub(crate) fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// The first day of this date's month.
    pub(crate) fn first_of_month(self) -> Date {
        Date { day: 1, ..self }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's algorithms (public domain): exact integer calendar maths.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The last Sunday of `month` in `year`, 01:00 UTC, as Unix seconds.
fn last_sunday_0100_utc(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    let weekday = (last + 4).rem_euclid(7);
    (last - weekday) * DAY_SECS + 3600
}

impl Zone {
    /// The zone named `name` (exact IANA spelling), if supported.
    pub(crate) fn by_name(name: &str) -> Option<Zone> {
        ZONES.iter().copied().find(|z| z.name == name)
    }

    /// The offset from UTC (seconds) in force at Unix time `utc`.
    pub(crate) fn offset_at(&self, utc: i64) -> i64 {
        if !self.eu_summer_time {
            return self.std_offset;
        }
        let year = Date::from_days(utc.div_euclid(DAY_SECS)).year;
        let summer = utc >= last_sunday_0100_utc(year, 3) && utc < last_sunday_0100_utc(year, 10);
        self.std_offset + if summer { 3600 } else { 0 }
    }

    /// The local date at Unix time `utc`.
    pub(crate) fn local_date(&self, utc: i64) -> Date {
        Date::from_days((utc + self.offset_at(utc)).div_euclid(DAY_SECS))
    }

    /// The Unix time of local midnight at the start of `date`. (The EU
    /// switches happen at 01:00 UTC, at least an hour from any local
    /// midnight of these zones, so midnight exists exactly once.)
    pub(crate) fn midnight(&self, date: Date) -> i64 {
        let local = date.days() * DAY_SECS;
        let winter = local - self.std_offset;
        if self.offset_at(winter) == self.std_offset {
            winter
        } else {
            winter - 3600
        }
    }
}

/// Unix seconds as RFC 3339 UTC with milliseconds (`2025-03-31T22:00:00.000Z`),
/// the format the ledger's timestamps compare with as strings.
pub(crate) fn rfc3339(utc: i64) -> String {
    let date = Date::from_days(utc.div_euclid(DAY_SECS));
    let s = utc.rem_euclid(DAY_SECS);
    format!(
        "{date}T{:02}:{:02}:{:02}.000Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-01",
            "25-01-01",
            "2025-01-32",
            "2025/01/01",
            "+025-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(d("1970-01-01").days(), 0);
        assert_eq!(d("2000-03-01").days(), 11_017);
        assert_eq!(Date::from_days(20_178).to_string(), "2025-03-31");
        for n in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(n).days(), n);
        }
    }

    #[test]
    fn paris_midnights_follow_summer_time() {
        let paris = Zone::by_name("Europe/Paris").unwrap();
        // (local date, UTC instant of its midnight) from the French legal time.
        for (date, utc) in [
            ("2025-01-15", "2025-01-14T23:00:00.000Z"),
            ("2025-03-30", "2025-03-29T23:00:00.000Z"), // the switch is at 02:00 local that day
            ("2025-03-31", "2025-03-30T22:00:00.000Z"),
            ("2025-04-01", "2025-03-31T22:00:00.000Z"),
            ("2025-10-26", "2025-10-25T22:00:00.000Z"),
            ("2025-10-27", "2025-10-26T23:00:00.000Z"),
            ("2024-03-31", "2024-03-30T23:00:00.000Z"),
            ("2024-04-01", "2024-03-31T22:00:00.000Z"),
        ] {
            assert_eq!(rfc3339(paris.midnight(d(date))), utc, "{date}");
        }
    }

    #[test]
    fn other_zones() {
        let cases = [
            ("UTC", "2025-07-01", "2025-07-01T00:00:00.000Z"),
            ("Europe/London", "2025-07-01", "2025-06-30T23:00:00.000Z"),
            ("Europe/London", "2025-12-01", "2025-12-01T00:00:00.000Z"),
            ("Europe/Helsinki", "2025-07-01", "2025-06-30T21:00:00.000Z"),
            ("Europe/Helsinki", "2025-01-01", "2024-12-31T22:00:00.000Z"),
        ];
        for (zone, date, utc) in cases {
            let z = Zone::by_name(zone).unwrap();
            assert_eq!(rfc3339(z.midnight(d(date))), utc, "{zone} {date}");
        }
        assert_eq!(Zone::by_name("Europe/Pariss"), None);
        assert_eq!(Zone::by_name("america/new_york"), None);
    }

    #[test]
    fn local_dates_around_the_switches() {
        let paris = Zone::by_name("Europe/Paris").unwrap();
        // 2025-03-31T22:30Z is 00:30 on 1 April in Paris (UTC+2).
        let t = d("2025-03-31").days() * DAY_SECS + 22 * 3600 + 1800;
        assert_eq!(paris.local_date(t).to_string(), "2025-04-01");
        // 2025-01-31T22:30Z is 23:30 on 31 January (UTC+1).
        let t = d("2025-01-31").days() * DAY_SECS + 22 * 3600 + 1800;
        assert_eq!(paris.local_date(t).to_string(), "2025-01-31");
        // The October switch: 00:59:59Z is still summer time, 01:00Z is not.
        let switch = d("2025-10-26").days() * DAY_SECS + 3600;
        assert_eq!(paris.offset_at(switch - 1), 7200);
        assert_eq!(paris.offset_at(switch), 3600);
    }

    #[test]
    fn rfc3339_is_the_ledgers_format() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_743_460_200), "2025-03-31T22:30:00.000Z");
    }

    #[test]
    fn report_time_zone_is_read_from_the_configuration() {
        let config = |zone: Option<&str>| {
            let zone = zone.map(str::to_owned);
            crate::config::Config::from_lookup(&move |k: &str| {
                (k == "REPORT_TIME_ZONE").then(|| zone.clone()).flatten()
            })
        };
        assert_eq!(config(None).report_time_zone.name, "Europe/Paris");
        assert_eq!(
            config(Some("Europe/Helsinki")).report_time_zone.name,
            "Europe/Helsinki"
        );
        let bad = config(Some("America/New_York"));
        assert_eq!(bad.report_time_zone.name, "Europe/Paris");
        assert!(
            bad.problems
                .iter()
                .any(|p| p.starts_with("REPORT_TIME_ZONE is \"America/New_York\"")),
            "{:?}",
            bad.problems
        );
    }
}
