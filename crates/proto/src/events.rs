//! Conversions between the events service's wire types and the domain's.

use udaconnect_domain::{
    Area, AreaKind, Event, FieldError, Outline, Position, Presentation, Visit,
};

use crate::{datetime_from_timestamp, timestamp_from_datetime, v1};

impl From<&Event> for v1::Event {
    fn from(event: &Event) -> Self {
        Self {
            id: event.id,
            name: event.name.clone(),
            start: Some(timestamp_from_datetime(event.start)),
            end: Some(timestamp_from_datetime(event.end)),
            time_zone: event.time_zone.clone(),
        }
    }
}

/// An event as the events service sent it.
pub fn event_from_wire(wire: &v1::Event) -> Result<Event, FieldError> {
    Ok(Event {
        id: wire.id,
        name: wire.name.clone(),
        start: datetime_from_timestamp("start", wire.start.as_ref())?,
        end: datetime_from_timestamp("end", wire.end.as_ref())?,
        time_zone: wire.time_zone.clone(),
    })
}

impl From<AreaKind> for v1::AreaKind {
    fn from(kind: AreaKind) -> Self {
        match kind {
            AreaKind::Booth => Self::Booth,
            AreaKind::Room => Self::Room,
        }
    }
}

impl From<&Outline> for v1::Polygon {
    fn from(outline: &Outline) -> Self {
        Self {
            rings: outline
                .rings()
                .iter()
                .map(|ring| v1::LinearRing {
                    positions: ring
                        .iter()
                        .map(|position| v1::Position {
                            longitude: position.longitude,
                            latitude: position.latitude,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl From<&Area> for v1::Area {
    fn from(area: &Area) -> Self {
        Self {
            id: area.id,
            event_id: area.event_id,
            name: area.name.clone(),
            kind: v1::AreaKind::from(area.kind).into(),
            exhibitor: area.exhibitor.clone().unwrap_or_default(),
            outline: Some(v1::Polygon::from(&area.outline)),
        }
    }
}

/// An area as the events service sent it.
pub fn area_from_wire(wire: &v1::Area) -> Result<Area, FieldError> {
    let kind = match wire.kind() {
        v1::AreaKind::Booth => AreaKind::Booth,
        v1::AreaKind::Room => AreaKind::Room,
        v1::AreaKind::Unspecified => return Err(FieldError::new("kind", "is required")),
    };
    let rings = wire
        .outline
        .as_ref()
        .map(|outline| {
            outline
                .rings
                .iter()
                .map(|ring| {
                    ring.positions
                        .iter()
                        .map(|position| Position {
                            longitude: position.longitude,
                            latitude: position.latitude,
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Area {
        id: wire.id,
        event_id: wire.event_id,
        name: wire.name.clone(),
        kind,
        exhibitor: (!wire.exhibitor.is_empty()).then(|| wire.exhibitor.clone()),
        outline: Outline::new("outline", rings)?,
    })
}

impl From<&Presentation> for v1::Presentation {
    fn from(presentation: &Presentation) -> Self {
        Self {
            id: presentation.id,
            event_id: presentation.event_id,
            title: presentation.title.clone(),
            speakers: presentation.speakers.clone(),
            room_id: presentation.room_id,
            room: presentation.room.clone(),
            start: Some(timestamp_from_datetime(presentation.start)),
            end: Some(timestamp_from_datetime(presentation.end)),
            uid: presentation.uid.clone().unwrap_or_default(),
        }
    }
}

impl From<&Visit> for v1::Visit {
    fn from(visit: &Visit) -> Self {
        Self {
            person_id: visit.person_id,
            area_id: visit.area_id,
            start: Some(timestamp_from_datetime(visit.start)),
            end: Some(timestamp_from_datetime(visit.end)),
        }
    }
}

/// A visit as sent to the events service; `field` names it in errors.
pub fn visit_from_wire(field: &str, wire: &v1::Visit) -> Result<Visit, FieldError> {
    let start = datetime_from_timestamp(&format!("{field}.start"), wire.start.as_ref())?;
    let end = datetime_from_timestamp(&format!("{field}.end"), wire.end.as_ref())?;
    if end < start {
        return Err(FieldError::new(
            format!("{field}.end"),
            "must not be before the start",
        ));
    }
    Ok(Visit {
        person_id: wire.person_id,
        area_id: wire.area_id,
        start,
        end,
    })
}
