//! What can be wrong with one value or one row, said in Chinese and English so that an
//! enterprise clerk can act on it ("第 17 行 统一社会信用代码 校验位错误 / row 17: USCC check
//! digit wrong").

use serde::Serialize;

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// A required value is empty.
    Missing,
    /// The text is not a value of the column's type.
    NotA {
        /// What was expected, in English (`a number`, `a date (YYYY-MM-DD)`, …).
        expected_en: &'static str,
        /// The same in Chinese.
        expected_zh: &'static str,
    },
    /// A value outside the allowed list.
    NotAllowed {
        /// The allowed values.
        allowed: Vec<String>,
    },
    /// A number below the minimum.
    BelowMin {
        /// The minimum.
        min: f64,
    },
    /// A number above the maximum.
    AboveMax {
        /// The maximum.
        max: f64,
    },
    /// A USCC whose check character is wrong.
    UsccCheckDigit {
        /// The check character the first 17 characters call for.
        expected: char,
    },
    /// A USCC of the wrong length or with characters outside its set.
    UsccFormat {
        /// What is wrong with it, in English.
        detail: String,
    },
    /// Not a GB/T 4754-2017 industry code.
    IndustryCode,
    /// The key appeared on an earlier row of the same batch.
    DuplicateKey {
        /// The row it first appeared on.
        first_row: u64,
    },
    /// A unit that does not fit the energy type.
    UnitMismatch {
        /// The unit expected for it.
        expected: String,
    },
    /// An energy type without a conversion factor.
    UnknownEnergyType,
    /// A value that contradicts the column it is derived from (a key industry that does not
    /// fit the row's industry code).
    Contradicts {
        /// The column it is derived from (the contract's name).
        from_column: String,
        /// That column's label as the source wrote it.
        from_label: String,
        /// That column's value on the row.
        from_value: String,
        /// The values that would fit.
        expected: Vec<String>,
    },
    /// A row of another enterprise in a batch an enterprise delivered: an enterprise
    /// submits only its own rows.
    NotYourEnterprise {
        /// The enterprise that delivered the batch.
        owner: String,
    },
    /// The decoder could only partly read the row (ragged CSV row, malformed JSON line).
    Source {
        /// What the decoder said.
        detail: String,
    },
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The contract column concerned, when there is one.
    pub column: Option<String>,
    /// The column's label as the source wrote it (or the contract's first Chinese alias).
    pub label: Option<String>,
    /// The offending value as text.
    pub value: Option<String>,
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ProblemKind,
}

impl Problem {
    /// Returns the reason in Chinese, e.g. `统一社会信用代码 校验位错误（应为 L）`.
    pub fn reason_zh(&self) -> String {
        let label = self
            .label
            .as_deref()
            .or(self.column.as_deref())
            .unwrap_or("");
        let value = self.value.as_deref().unwrap_or("");
        match &self.kind {
            ProblemKind::Missing => format!("{label} 为空（必填）"),
            ProblemKind::NotA { expected_zh, .. } => {
                format!("{label} 的值“{value}”不是{expected_zh}")
            }
            ProblemKind::NotAllowed { allowed } => {
                format!(
                    "{label} 的值“{value}”不在允许的取值中（{}）",
                    allowed.join("、")
                )
            }
            ProblemKind::BelowMin { min } => format!("{label} 的值 {value} 小于下限 {min}"),
            ProblemKind::AboveMax { max } => format!("{label} 的值 {value} 大于上限 {max}"),
            ProblemKind::UsccCheckDigit { expected } => {
                format!("{label} 校验位错误（应为 {expected}）")
            }
            ProblemKind::UsccFormat { .. } => {
                format!("{label} 格式错误（应为 18 位统一社会信用代码）")
            }
            ProblemKind::IndustryCode => {
                format!("{label} 的值“{value}”不是国民经济行业分类代码（如 C3411）")
            }
            ProblemKind::DuplicateKey { first_row } => format!("与第 {first_row} 行的主键重复"),
            ProblemKind::UnitMismatch { expected } => {
                format!("{label} 的单位“{value}”与能源类型不符（应为 {expected}）")
            }
            ProblemKind::UnknownEnergyType => format!("{label} 的值“{value}”没有折标系数"),
            ProblemKind::Contradicts {
                from_label,
                from_value,
                expected,
                ..
            } => format!(
                "{label} 的值“{value}”与{from_label}“{from_value}”不符（应为 {}）",
                expected.join("、")
            ),
            ProblemKind::NotYourEnterprise { owner } => {
                format!("不是本企业的数据：{label} 为“{value}”，提交企业为 {owner}")
            }
            ProblemKind::Source { detail } => format!("该行无法完整读取：{detail}"),
        }
    }

    /// Returns the reason in English, e.g. `USCC check digit wrong (expected L)`.
    pub fn reason_en(&self) -> String {
        let column = self.column.as_deref().unwrap_or("");
        let value = self.value.as_deref().unwrap_or("");
        match &self.kind {
            ProblemKind::Missing => format!("{column} is required but empty"),
            ProblemKind::NotA { expected_en, .. } => {
                format!("{column}: '{value}' is not {expected_en}")
            }
            ProblemKind::NotAllowed { allowed } => {
                format!("{column}: '{value}' is not one of {}", allowed.join(", "))
            }
            ProblemKind::BelowMin { min } => {
                format!("{column}: {value} is below the minimum {min}")
            }
            ProblemKind::AboveMax { max } => {
                format!("{column}: {value} is above the maximum {max}")
            }
            ProblemKind::UsccCheckDigit { expected } => {
                format!("{column}: USCC check digit wrong (expected {expected})")
            }
            ProblemKind::UsccFormat { detail } => format!("{column}: not a USCC ({detail})"),
            ProblemKind::IndustryCode => {
                format!("{column}: '{value}' is not a GB/T 4754 industry code (e.g. C3411)")
            }
            ProblemKind::DuplicateKey { first_row } => {
                format!("duplicate key: same key as row {first_row}")
            }
            ProblemKind::UnitMismatch { expected } => {
                format!(
                    "{column}: unit '{value}' does not fit the energy type (expected {expected})"
                )
            }
            ProblemKind::UnknownEnergyType => {
                format!("{column}: no conversion factor for '{value}'")
            }
            ProblemKind::Contradicts {
                from_column,
                from_value,
                expected,
                ..
            } => format!(
                "{column}: '{value}' does not fit {from_column} '{from_value}' (expected {})",
                expected.join(" or ")
            ),
            ProblemKind::NotYourEnterprise { owner } => format!(
                "not your enterprise: {column} is '{value}', the batch was delivered by {owner}"
            ),
            ProblemKind::Source { detail } => format!("the row could not be read whole: {detail}"),
        }
    }

    /// Returns the whole message for a row: `第 17 行 … / row 17: …`.
    pub fn message(&self, row: u64) -> String {
        format!(
            "第 {row} 行 {} / row {row}: {}",
            self.reason_zh(),
            self.reason_en()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_row_column_and_fix() {
        let problem = Problem {
            column: Some("uscc".into()),
            label: Some("统一社会信用代码".into()),
            value: Some("91110000600037341N".into()),
            kind: ProblemKind::UsccCheckDigit { expected: 'L' },
        };
        assert_eq!(
            problem.message(17),
            "第 17 行 统一社会信用代码 校验位错误（应为 L） / row 17: uscc: USCC check digit wrong (expected L)"
        );
    }
}
