//! Untrusted text (a token's name and description) cut into what the page
//! shows: plain runs, and the invisible characters that could disguise
//! them, each to be shown as a visible mark. Bidi controls reorder what
//! follows them ("Trojan Source", CVE-2021-42574) and zero-width characters
//! make two different names look the same.

/// A piece of untrusted text as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text shown as it is.
    Text(String),
    /// An invisible character, shown as a mark in its place.
    Invisible(Invisible),
}

/// An invisible character, with the abbreviation and name the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invisible {
    pub code_point: char,
    pub abbreviation: &'static str,
    pub name: &'static str,
}

impl Invisible {
    /// "U+202E RIGHT-TO-LEFT OVERRIDE", for the mark's title.
    pub fn describe(&self) -> String {
        format!("U+{:04X} {}", self.code_point as u32, self.name)
    }
}

/// Bidi controls (Unicode UAX #9) and zero-width characters, by name.
const INVISIBLES: &[(char, &str, &str)] = &[
    ('\u{061C}', "ALM", "ARABIC LETTER MARK"),
    ('\u{200E}', "LRM", "LEFT-TO-RIGHT MARK"),
    ('\u{200F}', "RLM", "RIGHT-TO-LEFT MARK"),
    ('\u{202A}', "LRE", "LEFT-TO-RIGHT EMBEDDING"),
    ('\u{202B}', "RLE", "RIGHT-TO-LEFT EMBEDDING"),
    ('\u{202C}', "PDF", "POP DIRECTIONAL FORMATTING"),
    ('\u{202D}', "LRO", "LEFT-TO-RIGHT OVERRIDE"),
    ('\u{202E}', "RLO", "RIGHT-TO-LEFT OVERRIDE"),
    ('\u{2066}', "LRI", "LEFT-TO-RIGHT ISOLATE"),
    ('\u{2067}', "RLI", "RIGHT-TO-LEFT ISOLATE"),
    ('\u{2068}', "FSI", "FIRST STRONG ISOLATE"),
    ('\u{2069}', "PDI", "POP DIRECTIONAL ISOLATE"),
    ('\u{200B}', "ZWSP", "ZERO WIDTH SPACE"),
    ('\u{200C}', "ZWNJ", "ZERO WIDTH NON-JOINER"),
    ('\u{200D}', "ZWJ", "ZERO WIDTH JOINER"),
    ('\u{2060}', "WJ", "WORD JOINER"),
    ('\u{FEFF}', "ZWNBSP", "ZERO WIDTH NO-BREAK SPACE"),
    ('\u{180E}', "MVS", "MONGOLIAN VOWEL SEPARATOR"),
];

fn invisible(c: char) -> Option<Invisible> {
    INVISIBLES
        .iter()
        .find(|(code_point, ..)| *code_point == c)
        .map(|&(code_point, abbreviation, name)| Invisible {
            code_point,
            abbreviation,
            name,
        })
}

/// Pictographs that a zero width joiner glues into one emoji (👩‍🚀).
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// `text` as plain runs and marked invisible characters. A zero width
/// joiner between two pictographs is part of an emoji and stays as it is.
pub fn mark_invisibles(text: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut run = String::new();
    let mut previous = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let joins_emoji = c == '\u{200D}'
            && previous.is_some_and(is_pictograph)
            && chars.peek().copied().is_some_and(is_pictograph);
        match invisible(c).filter(|_| !joins_emoji) {
            Some(mark) => {
                if !run.is_empty() {
                    segments.push(Segment::Text(std::mem::take(&mut run)));
                }
                segments.push(Segment::Invisible(mark));
            }
            None => run.push(c),
        }
        previous = Some(c);
    }
    if !run.is_empty() {
        segments.push(Segment::Text(run));
    }
    segments
}

/// The first `max_chars` characters of `text`, when it has more; `None`
/// when it is short enough to show whole.
pub fn shortened(text: &str, max_chars: usize) -> Option<&str> {
    let (end, _) = text.char_indices().nth(max_chars)?;
    Some(&text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Segment {
        Segment::Text(s.to_owned())
    }

    fn marks(segments: &[Segment]) -> Vec<&'static str> {
        segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Invisible(mark) => Some(mark.abbreviation),
                Segment::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn plain_text_is_one_run() {
        assert_eq!(mark_invisibles("Mint the cat"), [text("Mint the cat")]);
        assert_eq!(mark_invisibles("קפה עם חלב"), [text("קפה עם חלב")]);
        assert_eq!(mark_invisibles(""), []);
    }

    #[test]
    fn a_right_to_left_override_is_marked_in_place() {
        // Shows as "cat.exe" reversed into "catexe.png" without the mark.
        let segments = mark_invisibles("cat\u{202E}gnp.exe");
        let Segment::Invisible(mark) = segments[1] else {
            panic!("{segments:?}")
        };
        assert_eq!(segments[0], text("cat"));
        assert_eq!(segments[2], text("gnp.exe"));
        assert_eq!(mark.abbreviation, "RLO");
        assert_eq!(mark.describe(), "U+202E RIGHT-TO-LEFT OVERRIDE");
    }

    #[test]
    fn every_bidi_control_and_zero_width_character_is_marked() {
        let hidden: String = INVISIBLES.iter().map(|(c, ..)| *c).collect();
        let segments = mark_invisibles(&format!("a{hidden}b"));
        assert_eq!(segments.len(), INVISIBLES.len() + 2);
        assert_eq!(marks(&segments).len(), INVISIBLES.len());
        // None of them is left inside a run of text.
        for segment in &segments {
            if let Segment::Text(run) = segment {
                assert!(run.chars().all(|c| invisible(c).is_none()), "{run:?}");
            }
        }
    }

    #[test]
    fn a_zero_width_space_between_letters_is_marked() {
        assert_eq!(marks(&mark_invisibles("Bored\u{200B}Ape")), ["ZWSP"]);
    }

    #[test]
    fn a_joiner_inside_an_emoji_is_left_alone_but_not_between_letters() {
        let astronaut = "\u{1F469}\u{200D}\u{1F680}";
        assert_eq!(mark_invisibles(astronaut), [text(astronaut)]);
        assert_eq!(marks(&mark_invisibles("a\u{200D}b")), ["ZWJ"]);
        assert_eq!(marks(&mark_invisibles("\u{200D}\u{1F680}")), ["ZWJ"]);
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        assert_eq!(shortened("short", 5), None);
        assert_eq!(shortened("longer", 5), Some("longe"));
        assert_eq!(shortened("ééééé", 2), Some("éé"));
    }
}
