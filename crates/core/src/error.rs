//! Error types shared by the domain services and the storage backends.

use serde::Serialize;

/// One invalid input field and what is wrong with it, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// The value is well-formed but clashes with stored records (taken, or refers to
    /// nothing): the API answers 409 rather than 422 when every error is of this kind.
    #[serde(skip)]
    pub conflict: bool,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), conflict: false }
    }

    /// A clash with stored records (a uniqueness rule, or a reference to no record).
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { conflict: true, ..Self::new(field, message) }
    }
}

/// What a storage backend can report.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or a concurrent change; the text names what collided.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What a domain service can report. The web layer maps each variant to one status code.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// An edit based on a version of the record that is no longer current.
    #[error("stale: {0}")]
    Stale(String),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => CoreError::NotFound,
            StoreError::Conflict(what) => CoreError::Conflict(what),
            other => CoreError::Store(other),
        }
    }
}

impl CoreError {
    pub fn invalid(field: &str, message: &str) -> Self {
        CoreError::Invalid(vec![FieldError::new(field, message)])
    }

    /// A field that clashes with stored records (see `FieldError::conflict`).
    pub fn clash(field: &str, message: &str) -> Self {
        CoreError::Invalid(vec![FieldError::conflict(field, message)])
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
pub type StoreResult<T> = Result<T, StoreError>;
