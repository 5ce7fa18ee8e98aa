//! The languages Seatwise speaks, as an account chooses one (none chosen: the browser's).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    English,
    French,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::French];

    /// The BCP 47 code kept in the store and used by the interface (`en`, `fr`).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// A code as kept (`en`, `fr`); anything else is `None`.
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// A date or date and time as Seatwise writes it (`2026-11-30`, `2026-11-30 14:05 UTC`)
    /// the way this language's readers do: unchanged in English, `30/11/2026 14:05 UTC` in
    /// French. Anything else is returned as it is.
    pub fn date(self, value: &str) -> String {
        let (day, rest) = value.split_at(value.find(' ').unwrap_or(value.len()));
        let parts: Vec<&str> = day.split('-').collect();
        let valid = parts.len() == 3
            && [4, 2, 2]
                .iter()
                .zip(&parts)
                .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
        match self {
            Language::French if valid => format!("{}/{}/{}{rest}", parts[2], parts[1], parts[0]),
            _ => value.to_owned(),
        }
    }

    /// The first language of an `Accept-Language` header Seatwise speaks (`fr-CA;q=0.9` is
    /// French), in the header's order of preference; `None` when it names none of them.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut wanted: Vec<(f32, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim().to_ascii_lowercase();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                let primary = tag.split('-').next()?;
                let language = Language::from_code(primary)?;
                (q > 0.0).then_some((q, i, language))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted.first().map(|w| w.2)
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn accept_language_picks_the_most_wanted_one_we_speak() {
        let pick = Language::from_accept_language;
        assert_eq!(pick("fr-FR,fr;q=0.9,en;q=0.8"), Some(Language::French));
        assert_eq!(pick("de-DE, en;q=0.5, fr;q=0.7"), Some(Language::French));
        assert_eq!(pick("en-GB,en;q=0.9"), Some(Language::English));
        assert_eq!(pick("de, fr;q=0"), None);
        assert_eq!(pick("nl"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("FR-ca"), Some(Language::French));
    }

    #[test]
    fn dates_as_each_reader_writes_them() {
        assert_eq!(
            Language::French.date("2026-11-30 14:05 UTC"),
            "30/11/2026 14:05 UTC"
        );
        assert_eq!(Language::French.date("2026-11-30"), "30/11/2026");
        assert_eq!(
            Language::English.date("2026-11-30 14:05"),
            "2026-11-30 14:05"
        );
        assert_eq!(Language::French.date("never"), "never");
        assert_eq!(Language::French.date("2026-1-30"), "2026-1-30");
    }

    #[test]
    fn codes_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        assert_eq!(Language::from_code("de"), None);
    }
}
