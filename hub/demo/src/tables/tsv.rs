//! A reader of the tab-separated data files under `data/`.
//!
//! A file is a header line naming the columns, then one row a line, cells separated by tabs.
//! Lines starting with `#` are comments; empty lines are skipped; missing cells at the end of a
//! row are empty (editors strip trailing tabs). Lists inside a cell are separated by `;`.
//! The cells borrow from the embedded file, so the tables built from them hold `&'static str`.

use crate::{Error, Result};

/// A parsed data file.
#[derive(Debug)]
pub(crate) struct Tsv {
    file: &'static str,
    header: Vec<&'static str>,
    rows: Vec<(usize, Vec<&'static str>)>,
}

impl Tsv {
    /// Splits `text`, the content of the data file `file`, into its header and rows.
    pub(crate) fn parse(file: &'static str, text: &'static str) -> Result<Tsv> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(number, line)| (number + 1, line.strip_suffix('\r').unwrap_or(line)))
            .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
        let Some((_, header_line)) = lines.next() else {
            return Err(Error::EmptyDataFile { file });
        };
        let header: Vec<&'static str> = header_line.split('\t').collect();
        let mut rows = Vec::new();
        for (line, content) in lines {
            let cells: Vec<&'static str> = content.split('\t').collect();
            if cells.len() > header.len() {
                return Err(Error::DataRowLength {
                    file,
                    line,
                    expected: header.len(),
                    found: cells.len(),
                });
            }
            rows.push((line, cells));
        }
        if rows.is_empty() {
            return Err(Error::EmptyDataFile { file });
        }
        Ok(Tsv { file, header, rows })
    }

    /// Returns the rows, in file order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, cells)| Row {
            tsv: self,
            line: *line,
            cells,
        })
    }

    /// Checks that every column in `columns` is in the header.
    pub(crate) fn require(&self, columns: &[&'static str]) -> Result<()> {
        match columns.iter().find(|column| !self.header.contains(column)) {
            Some(column) => Err(Error::MissingDataColumn {
                file: self.file,
                column,
            }),
            None => Ok(()),
        }
    }
}

/// One row of a data file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'t> {
    tsv: &'t Tsv,
    line: usize,
    cells: &'t [&'static str],
}

impl Row<'_> {
    /// Returns the cell of `column` as it is written (empty when the row stops before it).
    pub(crate) fn text(&self, column: &'static str) -> Result<&'static str> {
        let position = self
            .tsv
            .header
            .iter()
            .position(|name| *name == column)
            .ok_or(Error::MissingDataColumn {
                file: self.tsv.file,
                column,
            })?;
        Ok(self.cells.get(position).copied().unwrap_or(""))
    }

    /// Returns the cell of `column`, which must not be empty.
    pub(crate) fn required(&self, column: &'static str) -> Result<&'static str> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Err(self.bad(column, text, "a value"));
        }
        Ok(text)
    }

    /// Returns the `;`-separated items of the cell of `column` (none for an empty cell).
    pub(crate) fn list(&self, column: &'static str) -> Result<Vec<&'static str>> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Ok(Vec::new());
        }
        Ok(text.split(';').collect())
    }

    /// Returns the cell of `column` as a number.
    pub(crate) fn number(&self, column: &'static str) -> Result<f64> {
        let text = self.text(column)?;
        text.parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .ok_or_else(|| self.bad(column, text, "a number"))
    }

    /// Returns the cell of `column` as `count` numbers separated by `;`.
    pub(crate) fn numbers<const COUNT: usize>(&self, column: &'static str) -> Result<[f64; COUNT]> {
        let text = self.text(column)?;
        let expected = match COUNT {
            2 => "two numbers low;high",
            4 => "four numbers separated by ;",
            _ => "numbers separated by ;",
        };
        let values: Vec<f64> = text
            .split(';')
            .map(|item| item.parse::<f64>().ok().filter(|value| value.is_finite()))
            .collect::<Option<_>>()
            .ok_or_else(|| self.bad(column, text, expected))?;
        values
            .try_into()
            .map_err(|_| self.bad(column, text, expected))
    }

    /// Returns the cell of `column` as a `(low, high)` range.
    pub(crate) fn range(&self, column: &'static str) -> Result<(f64, f64)> {
        let [low, high] = self.numbers::<2>(column)?;
        Ok((low, high))
    }

    /// Returns the cell of `column` as an integer `(low, high)` range.
    pub(crate) fn integer_range(&self, column: &'static str) -> Result<(i64, i64)> {
        let text = self.text(column)?;
        let bounds: Option<Vec<i64>> = text.split(';').map(|item| item.parse().ok()).collect();
        match bounds.as_deref() {
            Some([low, high]) => Ok((*low, *high)),
            _ => Err(self.bad(column, text, "two integers low;high")),
        }
    }

    /// Returns the cell of `column` as a yes / no flag.
    pub(crate) fn flag(&self, column: &'static str) -> Result<bool> {
        match self.text(column)? {
            "yes" => Ok(true),
            "no" => Ok(false),
            other => Err(self.bad(column, other, "yes or no")),
        }
    }

    /// Returns the cell of `column`, which must be one of `choices`.
    pub(crate) fn choice(
        &self,
        column: &'static str,
        choices: &'static [&'static str],
    ) -> Result<&'static str> {
        let text = self.text(column)?;
        choices
            .iter()
            .find(|choice| **choice == text)
            .copied()
            .ok_or_else(|| self.bad(column, text, "one of the values the file's comment lists"))
    }

    /// An error about a cell of `column` that names a key `defined_in` does not define.
    pub(crate) fn unknown(
        &self,
        column: &'static str,
        value: &str,
        defined_in: &'static str,
    ) -> Error {
        Error::UnknownDataReference {
            file: self.tsv.file,
            line: self.line,
            column,
            value: value.to_string(),
            defined_in,
        }
    }

    /// An error about the cell of `column`.
    pub(crate) fn bad(&self, column: &'static str, value: &str, expected: &'static str) -> Error {
        Error::BadDataValue {
            file: self.tsv.file,
            line: self.line,
            column,
            value: value.to_string(),
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_skip_comments_and_fill_missing_trailing_cells() {
        let tsv = Tsv::parse("t.tsv", "# a comment\nname\tlist\n\nx\ta;b\ny\n").expect("parses");
        let rows: Vec<Row<'_>> = tsv.rows().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text("name").expect("name"), "x");
        assert_eq!(rows[0].list("list").expect("list"), ["a", "b"]);
        assert!(rows[1].list("list").expect("list").is_empty());
        assert!(matches!(
            rows[1].text("other"),
            Err(Error::MissingDataColumn {
                column: "other",
                ..
            })
        ));
    }

    #[test]
    fn bad_cells_name_the_file_line_and_column() {
        let tsv = Tsv::parse("t.tsv", "weight\trange\tflag\n1.5\t1;x\tmaybe\n").expect("parses");
        let row = tsv.rows().next().expect("row");
        assert_eq!(row.number("weight").expect("weight"), 1.5);
        let message = row.range("range").expect_err("bad range").to_string();
        assert!(
            message.contains("t.tsv") && message.contains("line 2"),
            "{message}"
        );
        assert!(
            message.contains("range") && message.contains("1;x"),
            "{message}"
        );
        assert!(row.flag("flag").is_err());
        assert!(matches!(
            Tsv::parse("t.tsv", "a\tb\n1\t2\t3\n"),
            Err(Error::DataRowLength {
                line: 2,
                expected: 2,
                found: 3,
                ..
            })
        ));
        assert!(matches!(
            Tsv::parse("t.tsv", "# only a comment\na\n"),
            Err(Error::EmptyDataFile { .. })
        ));
    }
}
