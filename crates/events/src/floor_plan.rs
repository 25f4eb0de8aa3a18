//! Reading a floor plan from GeoJSON, the format every GIS tool writes.

use std::collections::HashSet;

use geojson::{FeatureCollection, GeometryValue, JsonObject};
use udaconnect_domain::{AreaKind, FieldError, NewArea, Outline, Position, check_title};

/// Most areas one floor plan may have.
pub const MAX_AREAS: usize = 5_000;

/// The areas of a GeoJSON FeatureCollection: one Polygon feature per area,
/// with properties `name` (unique), `kind` (`booth` or `room`) and, for
/// booths, an optional `exhibitor`. Errors name the feature and field
/// (`features[3].properties.kind`); `document` names the whole upload.
pub fn parse_floor_plan(document: &str, text: &str) -> Result<Vec<NewArea>, FieldError> {
    let collection: FeatureCollection = text.parse().map_err(|error| {
        FieldError::new(
            document,
            format!("must be a GeoJSON FeatureCollection: {error}"),
        )
    })?;
    if collection.features.len() > MAX_AREAS {
        return Err(FieldError::new(
            "features",
            format!("a floor plan has at most {MAX_AREAS} areas"),
        ));
    }
    let mut names = HashSet::new();
    collection
        .features
        .into_iter()
        .enumerate()
        .map(|(index, feature)| {
            let field = format!("features[{index}]");
            let properties = feature.properties.unwrap_or_default();
            let area = NewArea {
                name: text_property(&field, &properties, "name")?.ok_or_else(|| {
                    FieldError::new(format!("{field}.properties.name"), "is required")
                })?,
                kind: kind(&field, &properties)?,
                exhibitor: text_property(&field, &properties, "exhibitor")?,
                outline: outline(&field, feature.geometry.map(|geometry| geometry.value))?,
            };
            if area.kind == AreaKind::Room && area.exhibitor.is_some() {
                return Err(FieldError::new(
                    format!("{field}.properties.exhibitor"),
                    "only booths have an exhibitor",
                ));
            }
            if !names.insert(area.name.clone()) {
                return Err(FieldError::new(
                    format!("{field}.properties.name"),
                    format!(
                        "{:?} names another area too; names must be unique",
                        area.name
                    ),
                ));
            }
            Ok(area)
        })
        .collect()
}

/// A text property, trimmed and checked, if present.
fn text_property(
    field: &str,
    properties: &JsonObject,
    key: &str,
) -> Result<Option<String>, FieldError> {
    let field = format!("{field}.properties.{key}");
    match properties.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) => check_title(&field, text).map(Some),
        Some(_) => Err(FieldError::new(field, "must be a string")),
    }
}

fn kind(field: &str, properties: &JsonObject) -> Result<AreaKind, FieldError> {
    let field = format!("{field}.properties.kind");
    match properties.get("kind") {
        Some(serde_json::Value::String(kind)) => AreaKind::parse(&field, kind),
        None => Err(FieldError::new(
            field,
            "is required (\"booth\" or \"room\")",
        )),
        Some(_) => Err(FieldError::new(field, "must be \"booth\" or \"room\"")),
    }
}

fn outline(field: &str, geometry: Option<GeometryValue>) -> Result<Outline, FieldError> {
    let field = format!("{field}.geometry");
    let Some(GeometryValue::Polygon { coordinates }) = geometry else {
        return Err(FieldError::new(field, "must be a Polygon"));
    };
    let rings = coordinates
        .iter()
        .map(|ring| {
            ring.iter()
                .map(|position| match position.as_slice() {
                    [longitude, latitude, ..] => Ok(Position {
                        longitude: *longitude,
                        latitude: *latitude,
                    }),
                    _ => Err(FieldError::new(
                        format!("{field}.coordinates"),
                        "every position needs a longitude and a latitude",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Outline::new(&field, rings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(properties: &str, ring: &str) -> String {
        format!(
            r#"{{"type": "Feature", "properties": {properties},
                "geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}"#
        )
    }

    const SQUARE: &str = "[[0,0],[0.001,0],[0.001,0.001],[0,0.001],[0,0]]";

    fn collection(features: &[String]) -> String {
        format!(
            r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
            features.join(",")
        )
    }

    #[test]
    fn booths_and_rooms_are_read_with_their_outlines() {
        let areas = parse_floor_plan(
            "geojson",
            &collection(&[
                feature(
                    r#"{"name": "B1", "kind": "booth", "exhibitor": "Acme"}"#,
                    SQUARE,
                ),
                feature(r#"{"name": " Hall A ", "kind": "room"}"#, SQUARE),
            ]),
        )
        .unwrap();
        assert_eq!(areas.len(), 2);
        assert_eq!(areas[0].exhibitor.as_deref(), Some("Acme"));
        assert_eq!(areas[1].name, "Hall A");
        assert_eq!(areas[1].kind, AreaKind::Room);
        assert!(areas[0].outline.contains(0.0005, 0.0005));
    }

    #[test]
    fn each_mistake_names_its_feature_and_field() {
        let cases = [
            (
                feature(r#"{"name": "B1", "kind": "stage"}"#, SQUARE),
                "features[0].properties.kind",
            ),
            (
                feature(r#"{"kind": "booth"}"#, SQUARE),
                "features[0].properties.name",
            ),
            (
                feature(r#"{"name": "R", "kind": "room", "exhibitor": "X"}"#, SQUARE),
                "features[0].properties.exhibitor",
            ),
            (
                feature(
                    r#"{"name": "B1", "kind": "booth"}"#,
                    "[[0,0],[0.001,0],[0.001,0.001],[0,0]]"
                        .replace("[0,0]]", "[0,0.002]]")
                        .as_str(),
                ),
                "features[0].geometry.coordinates[0]",
            ),
        ];
        for (feature, field) in cases {
            let error = parse_floor_plan("geojson", &collection(&[feature])).unwrap_err();
            assert_eq!(error.field, field, "{error}");
        }
        let point = r#"{"type": "Feature", "properties": {"name": "P", "kind": "booth"},
                        "geometry": {"type": "Point", "coordinates": [0, 0]}}"#;
        let error = parse_floor_plan("geojson", &collection(&[point.to_owned()])).unwrap_err();
        assert_eq!(error.field, "features[0].geometry");
        let twice = feature(r#"{"name": "B1", "kind": "booth"}"#, SQUARE);
        let error = parse_floor_plan("geojson", &collection(&[twice.clone(), twice])).unwrap_err();
        assert_eq!(error.field, "features[1].properties.name");
        let error = parse_floor_plan("geojson", "{\"type\": \"Point\"").unwrap_err();
        assert_eq!(error.field, "geojson");
    }
}
