//! Technicians and when they may receive calls.
//!
//! A technician is **verified** when the account is activated (password set through the
//! invitation link), a profile picture is uploaded and at least one skill is chosen. Only
//! verified technicians can be assigned; the team tab shows the others light grey with
//! [`Verification::missing`].

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One thing that keeps a technician unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// The invitation link was not used yet.
    PasswordNotSet,
    /// No profile picture.
    NoPhoto,
    /// No skill chosen.
    NoSkill,
}

/// Whether a technician may receive calls, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub verified: bool,
    /// In the order of [`Missing`]; empty exactly when `verified`.
    pub missing: Vec<Missing>,
}

impl Verification {
    /// Verification from the three facts the rule depends on. Blank skills do not count.
    pub fn of<S: AsRef<str>>(activated: bool, has_photo: bool, skills: &[S]) -> Self {
        let mut missing = Vec::new();
        if !activated {
            missing.push(Missing::PasswordNotSet);
        }
        if !has_photo {
            missing.push(Missing::NoPhoto);
        }
        if !skills.iter().any(|s| !s.as_ref().trim().is_empty()) {
            missing.push(Missing::NoSkill);
        }
        Verification {
            verified: missing.is_empty(),
            missing,
        }
    }
}

/// What the state machine needs to know about a technician to assign a call; the server
/// loads it (the domain does no I/O).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicianFacts {
    pub id: Uuid,
    pub company_id: Uuid,
    /// Password set through the invitation link.
    pub activated: bool,
    pub has_photo: bool,
    pub skills: Vec<String>,
}

impl TechnicianFacts {
    pub fn verification(&self) -> Verification {
        Verification::of(self.activated, self.has_photo, &self.skills)
    }

    /// Whether the technician has `skill` (case-insensitive).
    pub fn has_skill(&self, skill: &str) -> bool {
        has_skill(&self.skills, skill)
    }

    /// Whether the technician may take a call needing `skill` (see [`check_assignable`]).
    pub fn check_assignable(&self, skill: &str) -> Result<(), crate::error::DomainError> {
        check_assignable(&self.verification(), &self.skills, skill)
    }
}

/// The order technicians are listed in everywhere (team tab, calendar rows): by name as
/// people read it, ignoring case and with numbers by value ("Team 2" before "Team 10").
pub fn name_order(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let number = |chars: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut digits = String::new();
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        digits.push(d);
                    }
                    digits
                };
                let (x, y) = (number(&mut a), number(&mut b));
                let (x_trim, y_trim) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                let order = x_trim
                    .len()
                    .cmp(&y_trim.len())
                    .then_with(|| x_trim.cmp(y_trim))
                    .then_with(|| x.len().cmp(&y.len()));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(x), Some(y)) => {
                let order = x.to_lowercase().cmp(y.to_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                a.next();
                b.next();
            }
        }
    }
}

/// Whether `skills` contains `skill` (case-insensitive, blanks ignored).
pub fn has_skill<S: AsRef<str>>(skills: &[S], skill: &str) -> bool {
    skills
        .iter()
        .any(|s| s.as_ref().trim().eq_ignore_ascii_case(skill.trim()))
}

/// The assignment rule: only a verified technician with the call's skill. The board uses
/// it while dragging (to mark rows as invalid targets and say why), the server when
/// saving, so both refuse the same drops.
pub fn check_assignable<S: AsRef<str>>(
    verification: &Verification,
    skills: &[S],
    skill: &str,
) -> Result<(), crate::error::DomainError> {
    if !verification.verified {
        return Err(crate::error::DomainError::NotVerified {
            missing: verification.missing.clone(),
        });
    }
    if !has_skill(skills, skill) {
        return Err(crate::error::DomainError::LacksSkill {
            skill: skill.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_people_read_them() {
        let mut names = vec![
            "Technician 10",
            "technician 2",
            "Anna Keller",
            "Technician 1",
            "Team 007",
            "Team 7",
            "Team 8",
            "anna keller",
            "Zoë",
            "Anna",
        ];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(
            names,
            vec![
                "Anna",
                "Anna Keller",
                "anna keller",
                "Team 7",
                "Team 007",
                "Team 8",
                "Technician 1",
                "technician 2",
                "Technician 10",
                "Zoë",
            ]
        );
    }

    #[test]
    fn name_order_is_antisymmetric() {
        let names = ["a1", "a01", "A1b", "a10", "a2", "", "1", "b", "B", "ä"];
        for a in names {
            for b in names {
                assert_eq!(name_order(a, b), name_order(b, a).reverse(), "{a} / {b}");
            }
        }
    }

    #[test]
    fn verification_table() {
        let skills = ["plumbing"];
        let none: [&str; 0] = [];
        let blank = ["  "];
        let cases: [(bool, bool, &[&str], Vec<Missing>); 5] = [
            (true, true, &skills, vec![]),
            (false, true, &skills, vec![Missing::PasswordNotSet]),
            (true, false, &skills, vec![Missing::NoPhoto]),
            (true, true, &blank, vec![Missing::NoSkill]),
            (
                false,
                false,
                &none,
                vec![Missing::PasswordNotSet, Missing::NoPhoto, Missing::NoSkill],
            ),
        ];
        for (activated, photo, skills, missing) in cases {
            let v = Verification::of(activated, photo, skills);
            assert_eq!(v.verified, missing.is_empty());
            assert_eq!(v.missing, missing);
        }
    }

    #[test]
    fn missing_serialises_snake_case() {
        let v = Verification::of(false, false, &[] as &[String]);

        let json = serde_json::to_value(&v).unwrap();

        assert_eq!(
            json,
            serde_json::json!({"verified": false, "missing": ["password_not_set", "no_photo", "no_skill"]})
        );
    }

    #[test]
    fn skill_match_ignores_case_and_spaces() {
        let tech = TechnicianFacts {
            id: Uuid::from_u128(1),
            company_id: Uuid::from_u128(2),
            activated: true,
            has_photo: true,
            skills: vec![" Plumbing".into()],
        };
        assert!(tech.has_skill("plumbing"));
        assert!(!tech.has_skill("electrics"));
        assert!(tech.verification().verified);
    }
}
