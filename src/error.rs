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
    pub fn new(place: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            place: place.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_place_then_message() {
        let e = InputError::new("a.toml:3:5", "unknown key");
        assert_eq!(e.to_string(), "a.toml:3:5: unknown key");
    }
}
