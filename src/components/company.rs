//! The Company tab's pieces: the profile form, the dispatcher's own profile, the
//! dispatchers, and the embedding settings (allowed origins, partner key).

pub mod company_profile_form;
pub mod dispatcher_list;
pub mod embed_settings;
pub mod own_profile_form;

use domain::api::FieldError;

use crate::i18n::I18n;

/// The translated message for `field` among `errors`: the Company tab's own texts
/// first, then the team's (shared codes such as `required`), else the server's.
pub fn field_message(i18n: I18n, errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| {
        let own = format!("company.error.{}", e.code);
        let text = i18n.t(&own);
        if text != own {
            return text;
        }
        crate::components::team::field_message(i18n, std::slice::from_ref(e), field)
            .unwrap_or_else(|| e.message.clone())
    })
}
