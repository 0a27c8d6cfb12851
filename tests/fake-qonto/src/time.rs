//! Wall-clock helpers: Unix time and RFC 3339 timestamps as Qonto writes them
//! (`2025-10-14T08:37:47Z`), without a date crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds.
pub(crate) fn now_unix() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

/// A civil date and time (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    year: i64,
    month: u32,
    day: u32,
    secs_of_day: i64,
}

/// Days since 1970-01-01 to (y, m, d): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    // d is 1..=31 and m 1..=12 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

impl Civil {
    /// The civil time of a Unix timestamp.
    pub(crate) fn from_unix(secs: i64) -> Civil {
        let days = secs.div_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            secs_of_day: secs.rem_euclid(86_400),
        }
    }

    /// The same instant one calendar year later (29 Feb becomes 28 Feb):
    /// Qonto's webhook example has `expired_at` exactly one year after
    /// `created_at`.
    pub(crate) fn plus_one_year(self) -> Civil {
        let year = self.year + 1;
        let day = if self.month == 2 && self.day == 29 && !is_leap(year) {
            28
        } else {
            self.day
        };
        Civil { year, day, ..self }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub(crate) fn rfc3339(self) -> String {
        let s = self.secs_of_day;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year,
            self.month,
            self.day,
            s / 3600,
            (s / 60) % 60,
            s % 60
        )
    }
}

/// A Unix timestamp as RFC 3339.
pub(crate) fn rfc3339(secs: i64) -> String {
    Civil::from_unix(secs).rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_adds_a_year() {
        // 2025-10-14T08:37:47Z, the docs' webhook example.
        let t = 1_760_431_067;
        assert_eq!(rfc3339(t), "2025-10-14T08:37:47Z");
        let next = Civil::from_unix(t).plus_one_year();
        assert_eq!(next.rfc3339(), "2026-10-14T08:37:47Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_704_110_400), "2024-01-01T12:00:00Z");
        // 2024-02-29 + 1 year = 2025-02-28.
        let leap = Civil::from_unix(1_709_164_800);
        assert_eq!(leap.rfc3339(), "2024-02-29T00:00:00Z");
        assert_eq!(leap.plus_one_year().rfc3339(), "2025-02-28T00:00:00Z");
    }
}
