//! What a token says about its bearer.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a token lets its bearer do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the event: its attendees, floor plan and figures.
    Organizer,
    /// A person, signed in to the web page: their own data.
    Attendee,
    /// A phone bound to one person: sends that person's pings.
    Device,
    /// Another UdaConnect service, calling an internal one.
    Service,
}

/// The claims of a UdaConnect token (RFC 7519 names where one exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Who issued it.
    pub iss: String,
    /// For whom: always [`crate::AUDIENCE`].
    pub aud: String,
    /// The person's id for attendees and devices; the service's name for
    /// services; "organizer" for the organizer.
    pub sub: String,
    /// What the bearer may do.
    pub role: Role,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: u64,
    /// The token's id; a device token's is the device's id, so revoking the
    /// device revokes every token it holds.
    pub jti: Uuid,
}

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The event's organizer.
    Organizer,
    /// A person on the web page.
    Attendee {
        /// Who.
        person_id: i64,
    },
    /// A person's phone.
    Device {
        /// Whose.
        person_id: i64,
        /// Which device, for revocation.
        device_id: Uuid,
    },
    /// Another service.
    Service {
        /// Which.
        name: String,
    },
}

impl Principal {
    /// The principal the claims describe, if they are consistent: attendee
    /// and device tokens must name a person by a positive id.
    pub fn from_claims(claims: &Claims) -> Option<Self> {
        let person_id = || claims.sub.parse::<i64>().ok().filter(|id| *id > 0);
        Some(match claims.role {
            Role::Organizer => Self::Organizer,
            Role::Attendee => Self::Attendee {
                person_id: person_id()?,
            },
            Role::Device => Self::Device {
                person_id: person_id()?,
                device_id: claims.jti,
            },
            Role::Service => Self::Service {
                name: claims.sub.clone(),
            },
        })
    }

    /// The person the caller acts for, if any.
    pub fn person_id(&self) -> Option<i64> {
        match self {
            Self::Attendee { person_id } | Self::Device { person_id, .. } => Some(*person_id),
            Self::Organizer | Self::Service { .. } => None,
        }
    }
}
