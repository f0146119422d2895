//! Tenant-scoped NATS subjects: every publish is namespaced by its tenant.

/// Why a subject cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectError {
    /// A part is empty.
    Empty,
    /// A part holds a character NATS gives a meaning to (`.`, `*`, `>`, whitespace).
    Reserved,
}

/// The subject `arqonbus.<tenant>.<room>.<channel>`.
///
/// # Errors
///
/// Returns a [`SubjectError`] when a part is empty or holds a reserved character,
/// so one tenant can never address another tenant's subjects.
pub fn subject_for(tenant: &str, room: &str, channel: &str) -> Result<String, SubjectError> {
    for part in [tenant, room, channel] {
        if part.is_empty() {
            return Err(SubjectError::Empty);
        }
        if part
            .chars()
            .any(|c| matches!(c, '.' | '*' | '>') || c.is_whitespace())
        {
            return Err(SubjectError::Reserved);
        }
    }
    Ok(format!("arqonbus.{tenant}.{room}.{channel}"))
}

#[cfg(test)]
mod tests {
    use super::{subject_for, SubjectError};

    #[test]
    fn namespaces_by_tenant() {
        assert_eq!(
            subject_for("acme", "lobby", "chat").as_deref(),
            Ok("arqonbus.acme.lobby.chat")
        );
    }

    #[test]
    fn refuses_wildcards_that_would_cross_tenants() {
        assert_eq!(
            subject_for("*", "lobby", "chat"),
            Err(SubjectError::Reserved)
        );
        assert_eq!(
            subject_for("acme", "a.b", "chat"),
            Err(SubjectError::Reserved)
        );
    }

    #[test]
    fn refuses_empty_parts() {
        assert_eq!(subject_for("acme", "", "chat"), Err(SubjectError::Empty));
    }
}
