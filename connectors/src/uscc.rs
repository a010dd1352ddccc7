//! The Unified Social Credit Code (统一社会信用代码, GB 32100-2015).
//!
//! 18 characters from a 31-character set; the last is a check character computed from the
//! first 17 with weights 3^(i−1) mod 31.

/// The 31 characters a USCC is written with; a character's value is its index.
pub const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weights of positions 1–17.
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a string is not a valid USCC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not 18 characters long.
    #[error("must be 18 characters, found {0}")]
    Length(usize),
    /// A character outside the 31-character set (I, O, S, V, Z and lower case are not used).
    #[error("character '{character}' at position {position} is not allowed")]
    Character {
        /// The offending character.
        character: char,
        /// Its 1-based position.
        position: usize,
    },
    /// The check character does not match the first 17.
    #[error("check character is '{found}', expected '{expected}'")]
    CheckDigit {
        /// The 18th character found.
        found: char,
        /// The check character computed from the first 17.
        expected: char,
    },
}

fn char_value(byte: u8) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&c| c == byte)
        .map(|index| index as u32)
}

/// Returns the check character for the first 17 characters of a code, or `None` when one of
/// them is outside the character set or there are not exactly 17.
pub fn check_character(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (byte, weight) in bytes.iter().zip(WEIGHTS) {
        sum += char_value(*byte)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

/// Validates a USCC: length, character set and check character.
pub fn validate(code: &str) -> Result<(), UsccError> {
    let length = code.chars().count();
    if length != 18 {
        return Err(UsccError::Length(length));
    }
    for (index, character) in code.chars().enumerate() {
        if !character.is_ascii() || char_value(character as u8).is_none() {
            return Err(UsccError::Character {
                character,
                position: index + 1,
            });
        }
    }
    let expected = check_character(&code[..17]).ok_or(UsccError::Length(length))?;
    let found = code.as_bytes()[17] as char;
    if found != expected {
        return Err(UsccError::CheckDigit { found, expected });
    }
    Ok(())
}

/// Returns true when `code` is a valid USCC.
pub fn is_valid(code: &str) -> bool {
    validate(code).is_ok()
}

/// Completes 17 characters with their check character.
pub fn with_check_character(first17: &str) -> Option<String> {
    check_character(first17).map(|check| format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publicly_listed_codes_are_valid() {
        for code in [
            "91110000600037341L",
            "91110000710926094P",
            "91440300568520498A",
            "9144030071526726XG",
            "91310115MA1K3BTP2B",
        ] {
            assert_eq!(validate(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn wrong_check_character_is_reported_with_the_expected_one() {
        assert_eq!(
            validate("91110000600037341N"),
            Err(UsccError::CheckDigit {
                found: 'N',
                expected: 'L'
            })
        );
    }

    #[test]
    fn pilot_region_exception_fails_the_checksum() {
        assert!(matches!(
            validate("91350100M0001TGQXM"),
            Err(UsccError::CheckDigit { .. })
        ));
    }

    #[test]
    fn length_and_characters_are_checked() {
        assert_eq!(validate("9111000060003734"), Err(UsccError::Length(16)));
        assert_eq!(
            validate("91110000600O37341L"),
            Err(UsccError::Character {
                character: 'O',
                position: 12
            })
        );
        assert_eq!(
            validate("91110000600037341l"),
            Err(UsccError::Character {
                character: 'l',
                position: 18
            })
        );
        assert_eq!(
            validate("统一社会信用代码统一社会信用代码统一"),
            Err(UsccError::Character {
                character: '统',
                position: 1
            })
        );
    }

    #[test]
    fn check_character_completes_a_code() {
        assert_eq!(
            with_check_character("91110000600037341").as_deref(),
            Some("91110000600037341L")
        );
        assert_eq!(
            with_check_character("9144030071526726X").as_deref(),
            Some("9144030071526726XG")
        );
        assert_eq!(check_character("too short"), None);
    }
}
