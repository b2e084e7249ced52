//! The one error type for bad input, shared by every layer that reads something a user wrote.
//!
//! It lives at the crate root, below the engine, so that parameter parsing, scenario validation,
//! the output sink and the analysis of saved directories can all report bad input the same way
//! without any of them depending on a layer above it. The binary maps it to exit code 2.

/// Bad input: where it is (file:line:col, or a flag) and what is wrong. Always exit code 2.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct InputError {
    pub place: String,
    pub message: String,
}

impl InputError {
    /// Control characters a user's text carried into the place or message (a name written with a
    /// TOML escape such as `\f`, a path) are shown as escapes, so an error never sends one raw to
    /// the terminal; line breaks and tabs are kept.
    pub fn new(place: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            place: printable(place.into()),
            message: printable(message.into()),
        }
    }
}

fn printable(text: String) -> String {
    if !text.chars().any(is_hidden_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if is_hidden_control(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn is_hidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_escapes_but_line_breaks_kept() {
        let e = InputError::new(
            "a.toml:6:8",
            "scenario name \"\u{c}x\u{1b}[2J\" may\n\thold",
        );
        assert_eq!(
            e.to_string(),
            "a.toml:6:8: scenario name \"\\u{c}x\\u{1b}[2J\" may\n\thold"
        );
    }

    #[test]
    fn displays_place_then_message() {
        let e = InputError::new("a.toml:3:5", "unknown key");
        assert_eq!(e.to_string(), "a.toml:3:5: unknown key");
    }
}
