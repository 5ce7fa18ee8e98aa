//! The domain's one error for the layers above: every variant carries a message safe to show
//! (the cause of an unavailable dependency or an internal fault is kept apart, for the log).

use crate::{users::directory::DirectoryError, users::UserError, StoreError};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// Refused by the access check (already audited).
    #[error("{0}")]
    Forbidden(&'static str),
    /// Bad input for one field; nothing was changed.
    #[error("{message}")]
    Field { field: String, message: String },
    /// Bad input; nothing was changed.
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A change was sent but its outcome is not known yet.
    #[error("{0}")]
    Unconfirmed(String),
    /// `what` (the database, Partner Center) did not answer; `cause` is for the log only.
    #[error("{what} is not answering right now. Please try again in a moment.")]
    Unavailable { what: &'static str, cause: String },
    /// A fault on our side; `0` is for the log only.
    #[error("something went wrong on our side")]
    Internal(String),
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Field {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn database(cause: impl std::fmt::Display) -> Self {
        ServiceError::Unavailable {
            what: "The database",
            cause: cause.to_string(),
        }
    }

    pub fn partner_center(cause: impl std::fmt::Display) -> Self {
        ServiceError::Unavailable {
            what: "Partner Center",
            cause: cause.to_string(),
        }
    }

    /// A validation message of the store, `field: text` when it names a field.
    pub fn invalid(message: String) -> Self {
        match message.split_once(": ") {
            Some((field, text)) if !field.contains(' ') && !text.is_empty() => {
                let mut chars = text.chars();
                let first = chars.next().into_iter().flat_map(char::to_uppercase);
                ServiceError::field(field, first.chain(chars).collect::<String>() + ".")
            }
            _ => ServiceError::BadInput(message),
        }
    }
}

impl ServiceError {
    /// A store error whose validation message names its field (`name: …`), shown next to it.
    pub fn naming_field(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(message) => ServiceError::invalid(message),
            other => other.into(),
        }
    }
}

impl From<crate::subscriptions::change::Refused> for ServiceError {
    fn from(r: crate::subscriptions::change::Refused) -> Self {
        ServiceError::BadInput(r.0)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(message) => ServiceError::BadInput(message),
            other => ServiceError::database(other),
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::database(e)
    }
}

impl From<DirectoryError> for ServiceError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::Store(e) => e.into(),
            other => ServiceError::partner_center(other),
        }
    }
}

impl From<UserError> for ServiceError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::Field { field, message } => ServiceError::field(field, message),
            UserError::NoSeats { .. } | UserError::UsageLocationMissing => {
                ServiceError::Conflict(e.to_string())
            }
            UserError::NameTaken { .. } => ServiceError::field(
                "new_user_name",
                format!("{e} Restore the user under another name."),
            ),
            UserError::NotFound => ServiceError::NotFound(
                "This user no longer exists in Partner Center (deleted users are purged after \
                 30 days). Refresh the list."
                    .into(),
            ),
            UserError::Refused(message) => {
                ServiceError::BadInput(format!("Partner Center refused the change: {message}"))
            }
            UserError::Unconfirmed => ServiceError::Unconfirmed(e.to_string()),
            UserError::CannotGrow(message) => ServiceError::Conflict(message),
            UserError::PartnerCenter(e) => ServiceError::partner_center(e),
            UserError::Store(e) => ServiceError::database(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ServiceError;

    #[test]
    fn a_store_message_naming_a_field_becomes_a_field_error() {
        assert_eq!(
            ServiceError::invalid("role: you cannot change your own role".into()),
            ServiceError::field("role", "You cannot change your own role.")
        );
        assert_eq!(
            ServiceError::invalid("That name is taken".into()),
            ServiceError::BadInput("That name is taken".into())
        );
    }
}
