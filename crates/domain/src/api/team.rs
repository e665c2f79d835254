//! Wire types of the team endpoints (`/api/v1/technicians…`, dispatchers, company), and
//! the input rules both sides apply: the app shows them while typing, the server
//! enforces them and answers with the same [`FieldError`] codes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::FieldError;
use crate::technician::Missing;

/// The company's technicians: read (the calendar's rows, the Team tab) and invite.
pub const TECHNICIANS_PATH: &str = "/api/v1/technicians";

/// The skills the marketplace knows. A company offers some of them; its technicians
/// choose among the company's.
pub const MARKETPLACE_SKILLS: [&str; 8] = [
    "plumbing",
    "electrics",
    "heating",
    "appliances",
    "it_help",
    "locksmith",
    "painting",
    "cleaning",
];

/// A technician as the board and the team tab show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicianSummary {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub skills: Vec<String>,
    /// May receive calls (activated, photo, at least one skill).
    pub verified: bool,
    /// What keeps the technician unverified; empty when verified.
    pub missing: Vec<Missing>,
    /// Deactivated technicians keep their history but get no calls.
    pub active: bool,
    /// URL of the square thumbnail, when there is a photo.
    pub photo_url: Option<String>,
    /// Calls assigned to the technician with a slot in the current week (Monday to
    /// Sunday in the company's time zone), cancelled ones not counted.
    #[serde(default)]
    pub calls_this_week: u32,
}

/// One open call that keeps a technician from being deactivated (in the 409's
/// `current.open_calls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenCall {
    pub id: Uuid,
    /// The service's name and the start in the company's time zone, ready to show.
    pub label: String,
}

/// `POST /api/v1/technicians`: invite a technician.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteTechnician {
    pub name: String,
    /// Their own sign-in e-mail; the invitation goes there.
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// Among the company's offered skills; may be empty (the technician chooses later).
    #[serde(default)]
    pub skills: Vec<String>,
}

impl InviteTechnician {
    /// Every invalid field; empty when the invitation may be sent.
    pub fn validate(&self, offered_skills: &[String]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_name(&self.name, &mut errors);
        check_email("email", &self.email, &mut errors);
        check_phone(&self.phone, &mut errors);
        check_skills("skills", &self.skills, offered_skills, &mut errors);
        errors
    }
}

/// `PATCH /api/v1/technicians/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTechnician {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
}

impl UpdateTechnician {
    /// Every invalid field among those present.
    pub fn validate(&self, offered_skills: &[String]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(name) = &self.name {
            check_name(name, &mut errors);
        }
        if let Some(email) = &self.email {
            check_email("email", email, &mut errors);
        }
        if let Some(phone) = &self.phone {
            check_phone(phone, &mut errors);
        }
        if let Some(skills) = &self.skills {
            check_skills("skills", skills, offered_skills, &mut errors);
        }
        errors
    }
}

/// `PUT /api/v1/me/skills`: the technician's own choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SkillsUpdate {
    pub skills: Vec<String>,
}

/// `GET /api/v1/me/profile`: a technician's own profile and what they may choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyProfile {
    pub technician: TechnicianSummary,
    /// The company's offered skills.
    pub offered_skills: Vec<String>,
}

/// `POST /api/v1/technicians/{id}/deactivate` body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeactivateTechnician {
    /// Move the technician's open future calls back to the unassigned list in the same
    /// step; without it, such calls refuse the deactivation (409 listing them).
    #[serde(default)]
    pub unassign_open_calls: bool,
}

/// `POST /api/v1/auth/activate`: set one's password from an invitation link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivateAccount {
    /// The token from the link `/activate/{token}`.
    pub token: String,
    pub password: String,
}

/// `PATCH /api/v1/me`: the signed-in person's own name and personal e-mail (where
/// their request e-mails go, and what they sign in with). Absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl UpdateMe {
    /// Field errors; empty when the change is good.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(name) = &self.name {
            check_name(name, &mut errors);
        }
        if let Some(email) = &self.email {
            check_email("email", email, &mut errors);
        }
        errors
    }
}

/// `PUT /api/v1/me/password`: a new password, proven by the current one. Every other
/// session of the person ends; the one that made the change stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// The field errors of a new `password` (in `field`) for the account with `email`, one
/// per broken rule: the same rules for an activation and a change.
pub fn password_field_errors(field_name: &str, password: &str, email: &str) -> Vec<FieldError> {
    password_problems(password, email)
        .into_iter()
        .map(|rule| {
            field(
                field_name,
                rule.code(),
                match rule {
                    PasswordRule::MinLength => "at least 10 characters",
                    PasswordRule::MaxLength => "at most 128 characters",
                    PasswordRule::Variety => {
                        "mix at least two of: lower-case, upper-case, digits, other characters"
                    }
                    PasswordRule::NotEmail => "must not be your e-mail address",
                },
            )
        })
        .collect()
}

/// A rule a new password breaks (shown as a checklist while typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PasswordRule {
    /// At least [`PASSWORD_MIN_CHARS`] characters.
    MinLength,
    /// At most [`PASSWORD_MAX_CHARS`] characters.
    MaxLength,
    /// At least two kinds among lower-case, upper-case, digits and other characters.
    Variety,
    /// Not the e-mail address, nor its part before the `@`.
    NotEmail,
}

impl PasswordRule {
    /// The rules, in the order a checklist shows them.
    pub const ALL: [PasswordRule; 4] = [
        PasswordRule::MinLength,
        PasswordRule::MaxLength,
        PasswordRule::Variety,
        PasswordRule::NotEmail,
    ];

    /// Stable code used in [`FieldError::code`] and translation keys.
    pub fn code(self) -> &'static str {
        match self {
            PasswordRule::MinLength => "min_length",
            PasswordRule::MaxLength => "max_length",
            PasswordRule::Variety => "variety",
            PasswordRule::NotEmail => "not_email",
        }
    }
}

/// The shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// The longest password accepted (argon2 takes long inputs, but a limit keeps requests
/// cheap).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The rules `password` breaks for the account with `email`; empty when it is good.
pub fn password_problems(password: &str, email: &str) -> Vec<PasswordRule> {
    let mut broken = Vec::new();
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        broken.push(PasswordRule::MinLength);
    }
    if chars > PASSWORD_MAX_CHARS {
        broken.push(PasswordRule::MaxLength);
    }
    let kinds = [
        password.chars().any(char::is_lowercase),
        password.chars().any(char::is_uppercase),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 2 {
        broken.push(PasswordRule::Variety);
    }
    let lowered = password.trim().to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !lowered.is_empty() && (lowered == email || lowered == local) {
        broken.push(PasswordRule::NotEmail);
    }
    broken
}

/// A dispatcher of the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispatcherSummary {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Has set a password (an invited dispatcher has not yet).
    pub activated: bool,
}

/// `POST /api/v1/dispatchers`: invite another dispatcher.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteDispatcher {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl InviteDispatcher {
    /// Every invalid field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_name(&self.name, &mut errors);
        check_email("email", &self.email, &mut errors);
        check_phone(&self.phone, &mut errors);
        errors
    }
}

/// The company profile (`GET /api/v1/company`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyProfile {
    pub id: Uuid,
    pub name: String,
    /// The company's address for invoices and after-check-out notices (not a sign-in).
    pub email: String,
    pub phone: String,
    /// IANA zone, e.g. `Europe/Zurich`.
    pub time_zone: String,
    /// `CHF`, `EUR` or `GBP`.
    pub currency: String,
    /// Served postcodes as inclusive ranges, e.g. `8000-8099` (a single code is `8001`).
    pub service_area: Vec<String>,
    /// Offered skills, from [`MARKETPLACE_SKILLS`].
    pub skills: Vec<String>,
}

/// `PATCH /api/v1/company`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCompany {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
}

impl UpdateCompany {
    /// Every invalid field among those present.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(email) = &self.email {
            check_email("email", email, &mut errors);
        }
        if let Some(phone) = &self.phone {
            check_phone(phone, &mut errors);
        }
        if let Some(zone) = &self.time_zone {
            if crate::tz::parse_zone(zone).is_err() {
                errors.push(field(
                    "time_zone",
                    "unknown_time_zone",
                    "not a supported IANA time zone",
                ));
            }
        }
        if let Some(currency) = &self.currency {
            if currency.parse::<crate::money::Currency>().is_err() {
                errors.push(field(
                    "currency",
                    "unsupported_currency",
                    "use CHF, EUR or GBP",
                ));
            }
        }
        if let Some(ranges) = &self.service_area {
            if ranges.is_empty() {
                errors.push(field(
                    "service_area",
                    "required",
                    "at least one postcode range",
                ));
            }
            for (i, range) in ranges.iter().enumerate() {
                if parse_postcode_range(range).is_none() {
                    errors.push(field(
                        &format!("service_area[{i}]"),
                        "invalid_range",
                        "write a postcode or a range like 8000-8099",
                    ));
                }
            }
        }
        if let Some(skills) = &self.skills {
            let all: Vec<String> = MARKETPLACE_SKILLS.iter().map(|s| (*s).to_owned()).collect();
            check_skills("skills", skills, &all, &mut errors);
            if skills.is_empty() {
                errors.push(field("skills", "required", "offer at least one skill"));
            }
        }
        errors
    }
}

/// `8000-8099` or `8001` as an inclusive numeric range.
pub fn parse_postcode_range(raw: &str) -> Option<(u32, u32)> {
    let raw = raw.trim();
    let (from, to) = raw.split_once('-').unwrap_or((raw, raw));
    let digits = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.len() <= 8 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (from, to) = (digits(from)?, digits(to)?);
    (from <= to).then_some((from, to))
}

/// One entry of the demo-mode outbox view (`GET /api/v1/dev/outbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEntry {
    pub id: Uuid,
    /// The call it is about, if any.
    #[serde(default)]
    pub call_id: Option<Uuid>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Held back for the undo window of a move.
    #[serde(default)]
    pub held: bool,
    /// Withdrawn (the move was undone); it is never delivered.
    #[serde(default)]
    pub cancelled: bool,
}

fn field(name: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    let len = name.trim().chars().count();
    if len == 0 {
        errors.push(field("name", "required", "enter a name"));
    } else if len > 100 {
        errors.push(field("name", "too_long", "at most 100 characters"));
    }
}

/// Whether `email` looks like an address: one `@`, something before, a dotted domain.
pub fn email_looks_valid(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

fn check_email(name: &str, email: &str, errors: &mut Vec<FieldError>) {
    if email.trim().is_empty() {
        errors.push(field(name, "required", "enter an e-mail address"));
    } else if !email_looks_valid(email) {
        errors.push(field(name, "invalid_email", "not an e-mail address"));
    }
}

fn check_phone(phone: &str, errors: &mut Vec<FieldError>) {
    let phone = phone.trim();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()/.".contains(c));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.is_empty() && (!allowed || !(6..=20).contains(&digits)) {
        errors.push(field(
            "phone",
            "invalid_phone",
            "digits, spaces and + - ( ) / only, 6 to 20 digits",
        ));
    }
}

fn check_skills(name: &str, skills: &[String], offered: &[String], errors: &mut Vec<FieldError>) {
    for (i, skill) in skills.iter().enumerate() {
        if !offered.iter().any(|o| o.eq_ignore_ascii_case(skill.trim())) {
            errors.push(FieldError {
                field: format!("{name}[{i}]"),
                code: "unknown_skill".to_owned(),
                message: format!("{skill:?} is not among the offered skills"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_profile_changes_are_checked_field_by_field() {
        assert_eq!(UpdateMe::default().validate(), vec![]);
        let bad = UpdateMe {
            name: Some("  ".into()),
            email: Some("sandra@".into()),
        };
        let codes: Vec<_> = bad
            .validate()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("name".to_owned(), "required".to_owned()),
                ("email".to_owned(), "invalid_email".to_owned())
            ]
        );
        let errors = password_field_errors("new_password", "Sh0rt-pw", "a@b.example");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("new_password", "min_length")
        );
        assert!(serde_json::from_str::<UpdateMe>(r#"{"nmae":"x"}"#).is_err());
    }

    #[test]
    fn password_rules() {
        let email = "anna.keller@alpen.example";
        assert_eq!(password_problems("Tr1cky-Horse", email), vec![]);
        assert_eq!(
            password_problems("short1A", email),
            vec![PasswordRule::MinLength]
        );
        assert_eq!(
            password_problems("onlyletters", email),
            vec![PasswordRule::Variety]
        );
        assert_eq!(
            password_problems("1234567890", email),
            vec![PasswordRule::Variety]
        );
        assert_eq!(
            password_problems(email, email),
            vec![PasswordRule::NotEmail]
        );
        assert_eq!(
            password_problems("Anna.Keller", email),
            vec![PasswordRule::NotEmail]
        );
        assert_eq!(
            password_problems(&"aB".repeat(65), email),
            vec![PasswordRule::MaxLength]
        );
    }

    #[test]
    fn invitation_fields() {
        let offered = vec!["plumbing".to_owned()];
        let invite = InviteTechnician {
            name: " ".into(),
            email: "nope".into(),
            phone: "call me".into(),
            skills: vec!["plumbing".into(), "juggling".into()],
        };
        let codes: Vec<_> = invite
            .validate(&offered)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("name".into(), "required".into()),
                ("email".into(), "invalid_email".into()),
                ("phone".into(), "invalid_phone".into()),
                ("skills[1]".into(), "unknown_skill".into()),
            ]
        );
    }

    #[test]
    fn postcode_ranges() {
        assert_eq!(parse_postcode_range("8000-8099"), Some((8000, 8099)));
        assert_eq!(parse_postcode_range(" 8001 "), Some((8001, 8001)));
        assert_eq!(parse_postcode_range("8099-8000"), None);
        assert_eq!(parse_postcode_range("SW1A"), None);
    }
}
