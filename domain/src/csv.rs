//! CSV text: reading a file made in a spreadsheet (quoted fields, doubled quotes, CRLF or LF
//! line ends, a byte-order mark, commas or the semicolons that spreadsheets in many European
//! languages write) and writing fields that a spreadsheet never reads as a formula.

/// One record of a file: its line number (1-based, where it starts) and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("Line {0}: a quoted field is not closed.")]
    Unclosed(usize),
}

/// The records of `text`; blank lines are skipped. The separator is the header line's: a
/// semicolon when it has one and no comma, else a comma.
pub fn read(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or_default();
    let separator = if header.contains(';') && !header.contains(',') {
        ';'
    } else {
        ','
    };
    let mut records = Vec::new();
    let (mut fields, mut field) = (Vec::new(), String::new());
    let (mut line, mut start) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == separator => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n' | '\r') => {
                fields.push(std::mem::take(&mut field));
                push(&mut records, start, std::mem::take(&mut fields));
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError::Unclosed(start));
    }
    fields.push(field);
    push(&mut records, start, fields);
    Ok(records)
}

fn push(records: &mut Vec<Record>, line: usize, fields: Vec<String>) {
    if fields.iter().any(|f| !f.trim().is_empty()) {
        records.push(Record { line, fields });
    }
}

/// A field to write: quoted when needed, and never read as a formula by a spreadsheet.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', ';', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One line of fields, ended with CRLF.
pub fn line(fields: &[&str]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_spreadsheets_write() {
        let text = "\u{feff}a,b,c\r\n1,\"two, \"\"2\"\"\",3\r\n\r\n\"multi\nline\",x,\n";
        let records = read(text).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].fields, ["1", "two, \"2\"", "3"]);
        assert_eq!(records[2].line, 4);
        assert_eq!(records[2].fields, ["multi\nline", "x", ""]);
        let semicolons = read("a;b\n1,5;2").unwrap();
        assert_eq!(semicolons[1].fields, ["1,5", "2"]);
        assert_eq!(read("a\n\"open"), Err(CsvError::Unclosed(2)));
    }

    #[test]
    fn writes_what_reads_back_and_is_no_formula() {
        assert_eq!(line(&["a", "b,c", "=1+1"]), "a,\"b,c\",'=1+1\r\n");
        let back = read(&line(&["x \"y\"", "z"])).unwrap();
        assert_eq!(back[0].fields, ["x \"y\"", "z"]);
    }
}
