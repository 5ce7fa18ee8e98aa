//! Small pieces of SQL text the store's modules share (both backends take `$n` placeholders
//! through sqlx's Any driver).

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` values.
pub(crate) fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({row})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` inside a `LIKE … ESCAPE '\'` pattern, its wildcards matched literally.
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How a customer id is stored: lower case (Partner Center's GUIDs arrive in either case).
pub(crate) fn key(id: &impl std::fmt::Display) -> String {
    id.to_string().to_lowercase()
}

/// `SELECT COUNT(*) …` with text binds, as a `usize`.
pub(crate) async fn count(
    pool: &sqlx::AnyPool,
    sql: &str,
    binds: &[String],
) -> Result<usize, sqlx::Error> {
    let mut query = sqlx::query_as::<_, (i64,)>(sql);
    for b in binds {
        query = query.bind(b.clone());
    }
    let (n,) = query.fetch_one(pool).await?;
    Ok(usize::try_from(n).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::{escape_like, placeholders};

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
