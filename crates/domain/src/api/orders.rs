//! Wire types of the order endpoints (`/api/v1/calls/{id}/order/lines`, `…/report`,
//! `…/call-attempts`, `…/close`, `…/cancel`). Each request turns into domain
//! [`Command`]s here, so the server and the app agree on what a request means; the rules
//! themselves stay in [`crate::flow`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::FieldError;
use crate::{
    call::{CallOutcome, CancelReason, PaymentMethod},
    command::{Actor, Command},
    money::Money,
};

/// What kind of line `POST …/order/lines` adds (the package line exists from the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NewLineKind {
    /// Extra 30-minute units.
    TimeUnit,
    /// Material used.
    Material,
    /// A reduction of the total.
    Discount,
}

/// `POST /api/v1/calls/{id}/order/lines`.
///
/// - `{"version": 3, "kind": "time_unit", "quantity": 2}` — at the unit's recommended
///   price unless `unit_price` is given;
/// - `{"version": 3, "kind": "material", "description": "Tap cartridge", "amount": {…}}`
///   (`quantity` pieces at `amount` each, one by default);
/// - `{"version": 3, "kind": "discount", "description": "Regular client", "amount": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddLine {
    /// The version the change is based on; a stale one is answered 409 with the call.
    pub version: i64,
    pub kind: NewLineKind,
    /// An id of the caller's choosing for the new line (a retried request cannot add it
    /// twice); the server makes one when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<Uuid>,
    /// Time units or material pieces; 1 when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// Time units only: the price of one unit, instead of the recommended one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    /// Material and discount: what it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Material: the price of one piece. Discount: the amount taken off (positive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

fn field(name: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

impl AddLine {
    /// The command adding this line as `line_id` (the request's own id wins), or the
    /// fields that are missing or do not belong to the kind.
    pub fn command(&self, line_id: Uuid) -> Result<Command, Vec<FieldError>> {
        let line_id = self.line_id.unwrap_or(line_id);
        let quantity = self.quantity.unwrap_or(1);
        let mut errors = Vec::new();
        let description = || match self.description.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => Ok(d.to_owned()),
            _ => Err(field("description", "required", "describe the line")),
        };
        let amount = || {
            self.amount
                .ok_or_else(|| field("amount", "required", "an amount is required"))
        };
        let command = match self.kind {
            NewLineKind::TimeUnit => {
                for (name, present) in [
                    ("description", self.description.is_some()),
                    ("amount", self.amount.is_some()),
                ] {
                    if present {
                        errors.push(field(
                            name,
                            "not_allowed",
                            "time units take `quantity` and `unit_price`",
                        ));
                    }
                }
                Some(Command::AddTimeUnits {
                    line_id,
                    quantity,
                    unit_price: self.unit_price,
                })
            }
            NewLineKind::Material | NewLineKind::Discount => {
                if self.unit_price.is_some() {
                    errors.push(field("unit_price", "not_allowed", "use `amount`"));
                }
                if self.kind == NewLineKind::Discount && self.quantity.is_some() {
                    errors.push(field("quantity", "not_allowed", "a discount is one amount"));
                }
                match (description(), amount()) {
                    (Ok(description), Ok(amount)) => Some(if self.kind == NewLineKind::Material {
                        Command::AddMaterial {
                            line_id,
                            description,
                            quantity,
                            unit_price: amount,
                        }
                    } else {
                        Command::AddDiscount {
                            line_id,
                            description,
                            amount,
                        }
                    }),
                    (d, a) => {
                        errors.extend(d.err());
                        errors.extend(a.err());
                        None
                    }
                }
            }
        };
        match command {
            Some(command) if errors.is_empty() => Ok(command),
            _ => Err(errors),
        }
    }
}

/// `POST /api/v1/calls/{id}/report`: a work-report note (what was done; why time,
/// material or the price changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReportNote {
    pub text: String,
    /// When given, the note is refused (409) if the call changed since; without it the
    /// note is added to whatever the call is now (notes never conflict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// One work-report note with its author's name (`GET /api/v1/calls/{id}/report`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEntry {
    pub at: DateTime<Utc>,
    pub by: Actor,
    /// The author's name, when the author is a person of the company.
    pub author: Option<String>,
    pub text: String,
}

/// `POST /api/v1/calls/{id}/call-attempts`: a phone call to the client. `reached`
/// completes the "call client" task; `no_answer` allows cancelling for "client didn't
/// answer".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCallAttempt {
    pub outcome: CallOutcome,
    /// Kept as a work-report note beside the attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// As for report notes: optional, checked when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// How the client pays, as the close request names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentChoice {
    /// Online credit card: needs the client's signature.
    Card,
    Cash,
    Invoice,
}

impl From<PaymentChoice> for PaymentMethod {
    fn from(choice: PaymentChoice) -> Self {
        match choice {
            PaymentChoice::Card => PaymentMethod::OnlineCard,
            PaymentChoice::Cash => PaymentMethod::Cash,
            PaymentChoice::Invoice => PaymentMethod::Invoice,
        }
    }
}

/// `POST /api/v1/calls/{id}/close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CloseCall {
    pub version: i64,
    pub payment_method: PaymentChoice,
    /// `data:image/png;base64,…` drawn by the client; required for `card` (see
    /// [`crate::signature`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl CloseCall {
    /// The close command.
    pub fn command(&self) -> Command {
        Command::Close {
            payment_method: self.payment_method.into(),
            signature: self.signature.clone(),
        }
    }
}

/// Why the company cancels, as the cancel request names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelChoice {
    /// Can't help the client: offer the request to the other suitable partners.
    Redistribute,
    /// The client didn't answer (needs a logged `no_answer` attempt).
    NoAnswer,
    /// The client cancelled.
    ClientCancelled,
}

impl From<CancelChoice> for CancelReason {
    fn from(choice: CancelChoice) -> Self {
        match choice {
            CancelChoice::Redistribute => CancelReason::Redistribute,
            CancelChoice::NoAnswer => CancelReason::ClientDidNotAnswer,
            CancelChoice::ClientCancelled => CancelReason::ClientCancelled,
        }
    }
}

/// `POST /api/v1/calls/{id}/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelCall {
    pub version: i64,
    pub reason: CancelChoice,
    /// Why, in the dispatcher's words: kept as a work-report note of the cancelled call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn line(json: serde_json::Value) -> AddLine {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_three_line_requests_become_their_commands() {
        let id = Uuid::from_u128(5);
        let chf = |minor| Money::new(minor, Currency::CHF);

        let units = line(serde_json::json!({"version": 3, "kind": "time_unit", "quantity": 2}));
        let material = line(serde_json::json!({"version": 3, "kind": "material",
            "description": " Tap cartridge ", "amount": {"amount_minor": 2500, "currency": "CHF"}}));
        let discount = line(serde_json::json!({"version": 3, "kind": "discount",
            "description": "Regular", "amount": {"amount_minor": 1000, "currency": "CHF"}}));

        assert_eq!(
            units.command(id),
            Ok(Command::AddTimeUnits {
                line_id: id,
                quantity: 2,
                unit_price: None
            })
        );
        assert_eq!(
            material.command(id),
            Ok(Command::AddMaterial {
                line_id: id,
                description: "Tap cartridge".into(),
                quantity: 1,
                unit_price: chf(2500)
            })
        );
        assert_eq!(
            discount.command(id),
            Ok(Command::AddDiscount {
                line_id: id,
                description: "Regular".into(),
                amount: chf(1000)
            })
        );
    }

    #[test]
    fn missing_and_foreign_fields_are_named() {
        let id = Uuid::from_u128(5);
        let bare = line(serde_json::json!({"version": 1, "kind": "material"}));
        let mixed =
            line(serde_json::json!({"version": 1, "kind": "time_unit", "description": "x"}));

        let bare = bare.command(id).unwrap_err();
        let mixed = mixed.command(id).unwrap_err();

        let codes: Vec<_> = bare
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![("description", "required"), ("amount", "required")]
        );
        assert_eq!(mixed[0].field, "description");
        assert_eq!(mixed[0].code, "not_allowed");
        assert!(serde_json::from_value::<AddLine>(
            serde_json::json!({"version": 1, "kind": "package"})
        )
        .is_err());
    }

    #[test]
    fn the_wire_names_map_to_the_domain() {
        let close: CloseCall =
            serde_json::from_value(serde_json::json!({"version": 4, "payment_method": "card"}))
                .unwrap();
        let cancel: CancelCall =
            serde_json::from_value(serde_json::json!({"version": 4, "reason": "no_answer"}))
                .unwrap();

        assert_eq!(
            close.command(),
            Command::Close {
                payment_method: PaymentMethod::OnlineCard,
                signature: None
            }
        );
        assert_eq!(
            CancelReason::from(cancel.reason),
            CancelReason::ClientDidNotAnswer
        );
    }
}
