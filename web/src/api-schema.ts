// Generated from docs/openapi.yaml by openapi-typescript; do not edit.
// Regenerate with `npm run generate:api` in web/ whenever the document changes.

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The public keys that verify UdaConnect's tokens (RFC 7517), for other
         *     systems that accept them.
         */
        get: operations["get_key_set"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/areas/{area_id}/visitors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everyone seen in a booth or room, passers-by included (`counted` tells
         *     visits long enough to count).
         */
        get: operations["list_area_visitors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/enrollments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchanges a one-time code for a token: a phone's (`device`) or the web
         *     page's (`web`). Needs no token: the code is the credential.
         */
        post: operations["redeem_enrollment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every event, the latest start first. */
        get: operations["list_events"];
        put?: never;
        /** Creates an event; upload its floor plan, then its programme. */
        post: operations["create_event"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/{event_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One event. */
        get: operations["get_event"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/{event_id}/areas": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The event's floor plan. */
        get: operations["list_areas"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/{event_id}/floor-plan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Replaces the event's floor plan: a GeoJSON FeatureCollection of Polygon
         *     features with properties `name` (unique), `kind` (`booth` or `room`) and,
         *     for booths, `exhibitor`. Areas keep their id while their name is kept.
         *     Nothing is stored unless every area is valid.
         */
        put: operations["put_floor_plan"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/{event_id}/presentations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The event's programme. */
        get: operations["list_presentations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/{event_id}/programme": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Replaces the event's programme: iCalendar (`text/calendar`; one VEVENT
         *     per presentation: SUMMARY the title, LOCATION the room's name,
         *     DTSTART/DTEND, each ATTENDEE's CN a speaker) or JSON (`{"presentations":
         *     [{"title", "speakers", "room", "start", "end", "uid"}]}`). Times without
         *     an offset are in the event's time zone. Nothing is stored unless every
         *     presentation is valid.
         */
        put: operations["put_programme"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/{event_id}/statistics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * For the organizer: attendance of every presentation and booth traffic
         *     per hour.
         */
        get: operations["get_statistics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/locations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Records a ping. It is validated, checked against the persons, and
         *     durably queued on the locations stream before the answer; it is stored
         *     asynchronously, usually within a second, and then readable through the
         *     connection search. Sending the same ping again (the same `event_id` and
         *     `creation_time`) stores it once.
         *     A device sends for its own person only; the organizer may load pings
         *     for anyone.
         */
        post: operations["create_location"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/locations/{location_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One location ping: the caller's own, or any for the organizer. Another
         *     person's answers 404, as a missing one does, so ids reveal nothing.
         */
        get: operations["get_location"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every person, ordered by id. */
        get: operations["list_persons"];
        put?: never;
        /** Creates a person. */
        post: operations["create_person"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One person. */
        get: operations["get_person"];
        put?: never;
        post?: never;
        /**
         * Erases the person from every service: profile, enrollment codes,
         *     devices and tokens, pings, visits. Answered once the erasure is durably
         *     queued; each service carries it out within seconds, and a ping still in
         *     flight for the person is never stored. Signed-in tokens of the person
         *     stop working within 15 seconds. Cannot be undone.
         */
        delete: operations["erase_person"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/attendance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The presentations the person attended and the booths they visited at
         *     the event, with times and minutes present.
         */
        get: operations["get_attendance"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/connection": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every other person's ping within `distance` metres of one of this
         *     person's pings. The person's own pings are taken from `start_date`
         *     (inclusive) to `end_date` (exclusive), other people's up to one day past
         *     `end_date`. One row per pair of pings, not deduplicated, ordered by (own
         *     ping id, other ping id) — the proof of concept's semantics.
         */
        get: operations["find_connections"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whom the person met, when and where. An *encounter* is a ping of the
         *     person and a ping of someone else within `distance` metres (geodesic,
         *     WGS 84) and `window` of each other; a *meeting* is a run of encounters
         *     with no gap longer than `window`. One entry per other person, ranked by
         *     total time together, then by the most recent meeting; computed exactly.
         */
        get: operations["find_contacts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The person's phones, newest first. */
        get: operations["list_devices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/devices/{device_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revokes one of the person's phones: its token stops working within
         *     15 seconds, and its pings are refused from then on.
         */
        delete: operations["revoke_device"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/enrollment-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A one-time code for the person to enrol a phone or sign in to the web
         *     page; valid for 15 minutes and one use. The organizer makes the first;
         *     a signed-in attendee may make more for themselves.
         */
        post: operations["create_enrollment_code"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything stored about the person, as one JSON document (an
         *     attachment): their record, phones, visits and every ping. The person
         *     themselves, or the organizer (logged).
         */
        get: operations["export_person"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/privacy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The person's privacy choices. */
        get: operations["get_privacy"];
        /**
         * Records the person's choices. Only the person decides: the organizer
         *     may read them, not make them.
         */
        put: operations["set_privacy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/persons/{person_id}/shared": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The other attendees ranked by what they attended with this person at
         *     the event: 3 points per presentation both attended, 2 per booth both
         *     visited. Each entry lists what is shared, so people with common
         *     interests can connect, and the times the two met there (the contacts
         *     search over the event's hours with its defaults: 10 m, 10-minute
         *     window). Meetings do not rank: whom one met is the contacts route's
         *     answer, and ranking by it would search every contact of the event for
         *     each page.
         */
        get: operations["find_shared"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/presentations/{presentation_id}/attendees": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who attended the presentation. */
        get: operations["list_presentation_attendees"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the token belongs to, so the web page can show whose data it reads. */
        get: operations["get_session"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description The answer to an accepted ping: it is durably queued and will be stored
         *     shortly (the write is asynchronous).
         * @example {
         *       "event_id": "0b5e2b63-52a4-4a4b-9d37-0c4a6b8fd1f2"
         *     }
         */
        AcceptedLocationJson: {
            /** @description The ping's event id (the client's, or the one assigned). */
            event_id: string;
        };
        /**
         * @description One area of a floor plan: a booth or a room.
         * @example {
         *       "geometry": {
         *         "coordinates": [
         *           [
         *             [
         *               -106.5721,
         *               35.0587
         *             ],
         *             [
         *               -106.5719,
         *               35.0587
         *             ],
         *             [
         *               -106.5719,
         *               35.0589
         *             ],
         *             [
         *               -106.5721,
         *               35.0589
         *             ],
         *             [
         *               -106.5721,
         *               35.0587
         *             ]
         *           ]
         *         ],
         *         "type": "Polygon"
         *       },
         *       "id": 12,
         *       "properties": {
         *         "exhibitor": null,
         *         "kind": "room",
         *         "name": "Hall A"
         *       },
         *       "type": "Feature"
         *     }
         */
        AreaFeatureJson: {
            /** @description The outline. */
            geometry: components["schemas"]["PolygonJson"];
            /**
             * Format: int64
             * @description The area's id (kept across uploads while its name is).
             */
            id: number;
            /** @description Name, kind and exhibitor. */
            properties: components["schemas"]["AreaPropertiesJson"];
            /** @description Always `Feature`. */
            type: string;
        };
        /** @description What an area is. */
        AreaPropertiesJson: {
            /** @description A booth's exhibitor. */
            exhibitor?: string | null;
            /** @description `booth` or `room`. */
            kind: string;
            /** @description Unique within the event. */
            name: string;
        };
        /** @description One visitor of an area. */
        AreaVisitorJson: {
            /**
             * @description Whether a visit was long enough to count as a booth visit (always
             *     true in rooms).
             */
            counted: boolean;
            /**
             * Format: date-time
             * @description Start of the first visit.
             */
            first_arrived: string;
            /**
             * Format: date-time
             * @description End of the last visit.
             */
            last_left: string;
            /**
             * Format: double
             * @description Every visit's dwell, summed, in minutes.
             */
            minutes_present: number;
            /** @description Who. */
            person: components["schemas"]["PersonJson"];
            /**
             * Format: int32
             * @description How many visits.
             */
            visits: number;
        };
        /** @description An area and everyone seen in it. */
        AreaVisitorsJson: {
            /** @description Which area. */
            area: components["schemas"]["AreaFeatureJson"];
            /** @description Longest dwell first. */
            visitors: components["schemas"]["AreaVisitorJson"][];
        };
        /** @description What a person attended at an event. */
        AttendanceJson: {
            /** @description Booths visited (one stay of at least 2 minutes), by first arrival. */
            booths: components["schemas"]["VisitedBoothJson"][];
            /** @description At which event. */
            event: components["schemas"]["EventJson"];
            /** @description Whose attendance. */
            person: components["schemas"]["PersonJson"];
            /**
             * @description Presentations attended (in the room for at least 10 minutes of it,
             *     or half of it if shorter), by start.
             */
            presentations: components["schemas"]["AttendedPresentationJson"][];
        };
        /** @description A presentation a person attended. */
        AttendedPresentationJson: {
            /**
             * Format: date-time
             * @description First ping in the room during it.
             */
            arrived: string;
            /**
             * Format: date-time
             * @description Last ping in the room during it.
             */
            left: string;
            /**
             * Format: double
             * @description Time in the room during it, in minutes.
             */
            minutes_present: number;
            /** @description Which. */
            presentation: components["schemas"]["PresentationJson"];
        };
        /** @description Visitors of one booth during one hour. */
        BoothHourJson: {
            /** @description Which booth. */
            booth: components["schemas"]["BoothJson"];
            /**
             * Format: date-time
             * @description Start of the hour (UTC).
             */
            hour: string;
            /**
             * Format: int32
             * @description Persons with a counted visit overlapping the hour.
             */
            visitors: number;
        };
        /** @description A booth as answers name it. */
        BoothJson: {
            /** @description Its exhibitor. */
            exhibitor?: string | null;
            /**
             * Format: int64
             * @description The area's id.
             */
            id: number;
            /** @description Its name. */
            name: string;
        };
        /**
         * @description Another person's ping near one of the person's own pings, with that other
         *     person.
         */
        ConnectionJson: {
            /** @description The other person's ping. */
            location: components["schemas"]["LocationJson"];
            /** @description The other person. */
            person: components["schemas"]["PersonJson"];
        };
        /** @description Everything the person shares with one other person. */
        ContactJson: {
            /**
             * Format: date-time
             * @description Start of the first meeting.
             */
            first_met: string;
            /**
             * Format: date-time
             * @description End of the last meeting.
             */
            last_met: string;
            /**
             * Format: int32
             * @description How many meetings.
             */
            meeting_count: number;
            /** @description Every meeting, earliest first. */
            meetings: components["schemas"]["MeetingJson"][];
            /** @description The other person. */
            person: components["schemas"]["PersonJson"];
            /**
             * Format: double
             * @description The meetings' durations summed, in seconds.
             */
            total_seconds: number;
        };
        /** @description A page of contacts, and how to ask for the next one. */
        ContactsPageJson: {
            /**
             * @description Ranked by total time together, then by the most recent meeting, then
             *     by person id.
             */
            contacts: components["schemas"]["ContactJson"][];
            /**
             * Format: double
             * @description The encounter radius used, in metres.
             */
            distance: number;
            /**
             * Format: double
             * @description The shortest meeting reported, in seconds.
             */
            min_duration_seconds: number;
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
            /**
             * Format: double
             * @description The time window used, in seconds.
             */
            window_seconds: number;
        };
        /** @description A bearer token and what it stands for. */
        CredentialJson: {
            /** @description The device it binds, for a device token. */
            device_id?: string | null;
            /**
             * Format: date-time
             * @description When it stops working.
             */
            expires: string;
            /**
             * Format: int64
             * @description Whose it is.
             */
            person_id: number;
            /** @description Send as `Authorization: Bearer <token>`. */
            token: string;
            /** @description Always `Bearer`. */
            token_type: string;
        };
        /** @description Decimal degrees, as a number or a decimal string */
        Degrees: number | string;
        /** @description A phone bound to an attendee. */
        DeviceJson: {
            /**
             * Format: date-time
             * @description When it enrolled.
             */
            created: string;
            /** @description The device's id (a UUID). */
            id: string;
            /** @description Its name. */
            name: string;
            /**
             * Format: date-time
             * @description When it was revoked; absent while it may send.
             */
            revoked?: string | null;
        };
        /**
         * @description A one-time code, shown once.
         * @example {
         *       "code": "7KQ2-M9XD-4TZP",
         *       "expires": "2026-12-01T15:15:00Z",
         *       "person_id": 5
         *     }
         */
        EnrollmentCodeJson: {
            /**
             * @description Twelve letters and digits in groups of four; case, dashes and
             *     spaces do not matter when it is typed back.
             */
            code: string;
            /**
             * Format: date-time
             * @description Unusable after this, and after its first use.
             */
            expires: string;
            /**
             * Format: int64
             * @description Whose code.
             */
            person_id: number;
        };
        /**
         * @description What a code is exchanged for.
         * @enum {string}
         */
        EnrollmentKind: "device" | "web";
        /** @description An erasure under way. */
        ErasureJson: {
            /**
             * Format: int64
             * @description Whose data is being erased.
             */
            person_id: number;
            /**
             * Format: date-time
             * @description When it was asked for.
             */
            requested: string;
        };
        /**
         * @description A conference.
         * @example {
         *       "end": "2020-08-19T01:00:00Z",
         *       "id": 1,
         *       "name": "UdaConference 2020",
         *       "start": "2020-08-18T14:00:00Z",
         *       "time_zone": "America/Denver"
         *     }
         */
        EventJson: {
            /**
             * Format: date-time
             * @description When it ends, exclusive.
             */
            end: string;
            /**
             * Format: int64
             * @description Server-assigned id.
             */
            id: number;
            /** @description What attendees call it. */
            name: string;
            /**
             * Format: date-time
             * @description When it starts (RFC 3339, UTC); pings before it never count.
             */
            start: string;
            /** @description IANA time zone, for showing local times. */
            time_zone: string;
        };
        /** @description The organizer's figures of an event. */
        EventStatisticsJson: {
            /**
             * @description Booth traffic per hour, by booth then hour (hours without visitors
             *     left out).
             */
            booth_traffic: components["schemas"]["BoothHourJson"][];
            /** @description Every presentation with its attendance, by start. */
            presentations: components["schemas"]["PresentationCountJson"][];
        };
        /** @description An event's floor plan as GeoJSON (RFC 7946), as uploaded, with ids. */
        FloorPlanJson: {
            /** @description One feature per area, by name. */
            features: components["schemas"]["AreaFeatureJson"][];
            /** @description Always `FeatureCollection`. */
            type: string;
        };
        /**
         * @description A stored location ping. Coordinates are decimal-degree strings and the
         *     time is naive ISO-8601 in UTC, as the proof of concept answered.
         * @example {
         *       "creation_time": "2020-08-18T10:37:06",
         *       "id": 29,
         *       "latitude": "37.553441",
         *       "longitude": "-122.290524",
         *       "person_id": 1
         *     }
         */
        LocationJson: {
            /** @description When the ping was observed: naive ISO-8601, UTC. */
            creation_time: string;
            /**
             * Format: int64
             * @description Server-assigned id.
             */
            id: number;
            /** @description WGS 84 latitude in decimal degrees, as a string. */
            latitude: string;
            /** @description WGS 84 longitude in decimal degrees, as a string. */
            longitude: string;
            /**
             * Format: int64
             * @description Whose ping it is.
             */
            person_id: number;
        };
        /**
         * @description One meeting: a run of encounters with no gap longer than the window.
         * @example {
         *       "closest_meters": 1.4,
         *       "duration_seconds": 720,
         *       "encounters": 12,
         *       "end": "2020-08-18T10:42:00Z",
         *       "latitude": 37.553441,
         *       "longitude": -122.290524,
         *       "start": "2020-08-18T10:30:00Z"
         *     }
         */
        MeetingJson: {
            /**
             * Format: double
             * @description The smallest geodesic distance seen between the two, in metres.
             */
            closest_meters: number;
            /**
             * Format: double
             * @description `end - start`, in seconds.
             */
            duration_seconds: number;
            /**
             * Format: int32
             * @description How many pairs of pings (one of each person) make up the meeting.
             */
            encounters: number;
            /**
             * Format: date-time
             * @description Time of the latest ping involved (RFC 3339, UTC).
             */
            end: string;
            /**
             * Format: double
             * @description Where: the centroid of both people's pings involved (WGS 84 degrees).
             */
            latitude: number;
            /**
             * Format: double
             * @description Where: the centroid of both people's pings involved (WGS 84 degrees).
             */
            longitude: number;
            /**
             * Format: date-time
             * @description Time of the earliest ping involved (RFC 3339, UTC).
             */
            start: string;
        };
        /** @description One area of a floor plan to upload. */
        NewAreaFeatureJson: {
            /** @description The outline. */
            geometry: components["schemas"]["PolygonJson"];
            /** @description Name, kind and exhibitor. */
            properties: components["schemas"]["AreaPropertiesJson"];
            /** @description Always `Feature`. */
            type: string;
        };
        /**
         * @description A code to exchange.
         * @example {
         *       "code": "7KQ2-M9XD-4TZP",
         *       "device_name": "Pam's phone",
         *       "enrollment": "device"
         *     }
         */
        NewEnrollmentJson: {
            /** @description The code the organizer handed out. */
            code: string;
            /**
             * @description For a device: its name, as the attendee will see it (1 to 100
             *     characters).
             */
            device_name?: string | null;
            /** @description What to exchange it for. */
            enrollment: components["schemas"]["EnrollmentKind"];
        };
        /**
         * @description An event to create.
         * @example {
         *       "end": "2020-08-18T19:00:00-06:00",
         *       "name": "UdaConference 2020",
         *       "start": "2020-08-18T08:00:00-06:00",
         *       "time_zone": "America/Denver"
         *     }
         */
        NewEventJson: {
            /** @description After `start`, by at most 31 days. */
            end: string;
            /** @description 1 to 200 characters. */
            name: string;
            /** @description ISO-8601 date-time (naive means UTC). */
            start: string;
            /** @description An IANA time zone name. */
            time_zone: string;
        };
        /**
         * @description A floor plan to upload: GeoJSON (RFC 7946) as [`FloorPlanJson`] answers
         *     it, but an area's `id` may be left out and is ignored: areas keep their
         *     id while their name is kept. Only its schema is used: the events service
         *     parses the upload itself.
         */
        NewFloorPlanJson: {
            /** @description One feature per area; names are unique. */
            features: components["schemas"]["NewAreaFeatureJson"][];
            /** @description Always `FeatureCollection`. */
            type: string;
        };
        /**
         * @description A ping to record, in the proof of concept's shape. Coordinates may be
         *     JSON numbers or decimal strings; `creation_time` is ISO-8601 with or
         *     without an offset (without one it is UTC). Unknown fields are rejected.
         * @example {
         *       "creation_time": "2020-08-18T10:37:06",
         *       "latitude": "37.553441",
         *       "longitude": "-122.290524",
         *       "person_id": 1
         *     }
         */
        NewLocationJson: {
            /**
             * @description When the position was observed: ISO-8601, e.g. `2020-08-18T10:37:06`
             *     (UTC) or `2020-08-18T12:37:06+02:00`; not before 2000, at most 24
             *     hours in the future.
             */
            creation_time: string;
            /**
             * @description Optional client-chosen UUID, hyphenated and not the nil UUID: sending
             *     the same ping again with the same id stores it once. An id names one
             *     observation: sent again with other content, it is accepted (the
             *     answer comes before the ping is stored) and the first one stored
             *     stays, unless the time differs, which makes it another observation.
             *     Assigned by the server when absent.
             */
            event_id?: string | null;
            /** @description WGS 84 latitude in decimal degrees, in [-90, 90]. */
            latitude: components["schemas"]["Degrees"];
            /** @description WGS 84 longitude in decimal degrees, in [-180, 180]. */
            longitude: components["schemas"]["Degrees"];
            /**
             * Format: int64
             * @description Whose phone observed the position (an existing person).
             */
            person_id: number;
        };
        /**
         * @description A person to create. Every name is required, 1–200 characters after
         *     trimming spaces, with a visible character and no control characters,
         *     direction overrides, byte-order marks or tags; unknown fields are
         *     rejected.
         * @example {
         *       "company_name": "Analytical Engines",
         *       "first_name": "Ada",
         *       "last_name": "Lovelace"
         *     }
         */
        NewPersonJson: {
            /** @description Employer or affiliation. */
            company_name: string;
            /** @description Given name. */
            first_name: string;
            /** @description Family name. */
            last_name: string;
        };
        /** @description Everything stored about a person. */
        PersonExportJson: {
            /** @description Their phones, revoked ones included. */
            devices: components["schemas"]["DeviceJson"][];
            /**
             * Format: date-time
             * @description When the export was made.
             */
            exported_at: string;
            /**
             * @description Every ping of theirs, oldest first. Last, because it is written as
             *     it is read.
             */
            locations: components["schemas"]["LocationJson"][];
            /** @description Their record. */
            person: components["schemas"]["PersonJson"];
            /** @description Their visits to booths and rooms, at every event, by start. */
            visits: components["schemas"]["VisitJson"][];
        };
        /**
         * @description An attendee.
         * @example {
         *       "company_name": "Hampton, Hampton and McQuill",
         *       "first_name": "Pam",
         *       "id": 1,
         *       "last_name": "Trexler"
         *     }
         */
        PersonJson: {
            /** @description Employer or affiliation. */
            company_name: string;
            /** @description Given name. */
            first_name: string;
            /**
             * Format: int64
             * @description Server-assigned id.
             */
            id: number;
            /** @description Family name. */
            last_name: string;
        };
        /** @description A GeoJSON Polygon: rings of [longitude, latitude], the outer one first. */
        PolygonJson: {
            /** @description Closed rings of [longitude, latitude] positions. */
            coordinates: number[][][];
            /** @description Always `Polygon`. */
            type: string;
        };
        /** @description One attendee of a presentation. */
        PresentationAttendeeJson: {
            /**
             * Format: date-time
             * @description First ping in the room during it.
             */
            arrived: string;
            /**
             * Format: date-time
             * @description Last ping in the room during it.
             */
            left: string;
            /**
             * Format: double
             * @description Time in the room during it, in minutes.
             */
            minutes_present: number;
            /** @description Who. */
            person: components["schemas"]["PersonJson"];
        };
        /** @description A presentation and who attended it. */
        PresentationAttendeesJson: {
            /** @description Longest present first. */
            attendees: components["schemas"]["PresentationAttendeeJson"][];
            /** @description Which presentation. */
            presentation: components["schemas"]["PresentationJson"];
        };
        /** @description Attendance of one presentation. */
        PresentationCountJson: {
            /**
             * Format: int32
             * @description How many attended it.
             */
            attendees: number;
            /** @description Which. */
            presentation: components["schemas"]["PresentationJson"];
        };
        /**
         * @description A presentation of an event's programme.
         * @example {
         *       "end": "2020-08-18T15:45:00Z",
         *       "event_id": 1,
         *       "id": 3,
         *       "room": "Hall A",
         *       "room_id": 12,
         *       "speakers": [
         *         "Ada Lovelace"
         *       ],
         *       "start": "2020-08-18T15:00:00Z",
         *       "title": "Kafka in a nutshell",
         *       "uid": "talk-3@example.org"
         *     }
         */
        PresentationJson: {
            /**
             * Format: date-time
             * @description When it ends.
             */
            end: string;
            /**
             * Format: int64
             * @description The event.
             */
            event_id: number;
            /**
             * Format: int64
             * @description Server-assigned id (new ids with each programme upload).
             */
            id: number;
            /** @description The room's name. */
            room: string;
            /**
             * Format: int64
             * @description The room's area id.
             */
            room_id: number;
            /** @description Who presents. */
            speakers: string[];
            /**
             * Format: date-time
             * @description When it starts (RFC 3339, UTC).
             */
            start: string;
            /** @description What it is called. */
            title: string;
            /** @description The programme's own id of the entry (iCalendar UID), if it had one. */
            uid?: string | null;
        };
        /**
         * @description An attendee's choices. Both start `false`: nobody is shown to others,
         *     and every location is shared, until the attendee decides otherwise.
         * @example {
         *       "location_paused": false,
         *       "visible_to_others": true
         *     }
         */
        PrivacyJson: {
            /**
             * @description While `true`, pings for the person are refused (409 here,
             *     FAILED_PRECONDITION on gRPC) and never stored; pings accepted
             *     before are kept. Takes effect within 15 seconds.
             */
            location_paused: boolean;
            /**
             * @description Whether other attendees may see this person in their contacts,
             *     shared attendance and connections. Mutual: an attendee sees only
             *     those who are visible, and only while visible themselves.
             */
            visible_to_others: boolean;
        };
        /** @description An RFC 9457 problem document (`application/problem+json`). */
        Problem: {
            /** @description What went wrong, for a human. */
            detail: string;
            /** @description The request field at fault, when one is. */
            field?: string | null;
            /**
             * Format: int32
             * @description The HTTP status code.
             */
            status: number;
            /** @description The status code's reason phrase. */
            title: string;
            /** @description Always `about:blank`: the status code says what kind of problem it is. */
            type: string;
        };
        /**
         * @description Who the caller is.
         * @example {
         *       "person_id": 5,
         *       "role": "attendee"
         *     }
         */
        SessionJson: {
            /** @description The device, for a device token. */
            device_id?: string | null;
            /**
             * Format: int64
             * @description The person the caller acts for, unless the organizer.
             */
            person_id?: number | null;
            /** @description `organizer`, `attendee` or `device`. */
            role: string;
        };
        /** @description A page of the attendees a person shares the most with. */
        SharedPageJson: {
            /** @description Pass as `cursor` for the next page; `null` on the last page. */
            next_cursor?: string | null;
            /** @description Ranked by score, then by presentations shared, then person id. */
            shared: components["schemas"]["SharedWithJson"][];
        };
        /** @description A presentation as `/shared` names it. */
        SharedPresentationJson: {
            /**
             * Format: int64
             * @description The presentation's id.
             */
            id: number;
            /** @description Its room's name. */
            room: string;
            /**
             * Format: date-time
             * @description When it started.
             */
            start: string;
            /** @description Its title. */
            title: string;
        };
        /** @description What the person shares with one other attendee. */
        SharedWithJson: {
            /** @description Booths both visited, by name. */
            booths: components["schemas"]["BoothJson"][];
            /**
             * @description Times the two met at the event (the contacts search), earliest
             *     first; listed, not scored.
             */
            meetings: components["schemas"]["MeetingJson"][];
            /** @description The other attendee. */
            person: components["schemas"]["PersonJson"];
            /** @description Presentations both attended, by start. */
            presentations: components["schemas"]["SharedPresentationJson"][];
            /**
             * Format: int32
             * @description 3 per presentation and 2 per booth shared.
             */
            score: number;
        };
        /** @description A stay in a booth or room, as the attendance consumer recorded it. */
        VisitJson: {
            /**
             * Format: int64
             * @description The booth or room.
             */
            area_id: number;
            /** @description `booth` or `room`. */
            area_kind: string;
            /** @description Its name on the floor plan. */
            area_name: string;
            /**
             * Format: date-time
             * @description The last ping in it.
             */
            end: string;
            /**
             * Format: int64
             * @description The event of the area.
             */
            event_id: number;
            /**
             * Format: date-time
             * @description The first ping in it.
             */
            start: string;
        };
        /** @description A booth a person visited. */
        VisitedBoothJson: {
            /** @description Which. */
            booth: components["schemas"]["BoothJson"];
            /**
             * Format: date-time
             * @description Start of the first counted visit.
             */
            first_arrived: string;
            /**
             * Format: date-time
             * @description End of the last counted visit.
             */
            last_left: string;
            /**
             * Format: double
             * @description The counted visits' dwells, summed, in minutes.
             */
            minutes_present: number;
            /**
             * Format: int32
             * @description How many visits counted (each at least the minimum dwell).
             */
            visits: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    get_key_set: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A JSON Web Key Set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/jwk-set+json": Record<string, never>;
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_area_visitors: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The area's id */
                area_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The area and its visitors */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AreaVisitorsJson"];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such area */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    redeem_enrollment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewEnrollmentJson"];
            };
        };
        responses: {
            /** @description The token */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CredentialJson"];
                };
            };
            /** @description The body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not declared as JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The code is unknown, expired or used, or a field is invalid; `field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_events: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every event, the latest start first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventJson"][];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_event: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewEventJson"];
            };
        };
        responses: {
            /** @description Created; `Location` names the new event */
            201: {
                headers: {
                    /** @description URL of the new event */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventJson"];
                };
            };
            /** @description The body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not declared as JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field is missing, unknown or invalid (an end before the start, an unknown time zone); `field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_event: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event's id (a positive integer) */
                event_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_areas: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event's id (a positive integer) */
                event_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every area, by name, as GeoJSON */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/geo+json": components["schemas"]["FloorPlanJson"];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_floor_plan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event's id (a positive integer) */
                event_id: number;
            };
            cookie?: never;
        };
        /** @description A GeoJSON FeatureCollection (`application/geo+json` or `application/json`), at most 16 MiB */
        requestBody: {
            content: {
                "application/geo+json": components["schemas"]["NewFloorPlanJson"];
            };
        };
        responses: {
            /** @description The event's floor plan now, with area ids */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/geo+json": components["schemas"]["FloorPlanJson"];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A room the programme still uses would be removed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not declared as GeoJSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not a FeatureCollection, or an area is invalid (a self-intersecting or open polygon, a missing name, an unknown kind); `field` names it (`features[3].geometry`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_presentations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event's id (a positive integer) */
                event_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every presentation, by start, then room */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresentationJson"][];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_programme: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event's id (a positive integer) */
                event_id: number;
            };
            cookie?: never;
        };
        /** @description An iCalendar text (RFC 5545), or the same programme as `application/json`; at most 16 MiB */
        requestBody: {
            content: {
                "text/calendar": string;
            };
        };
        responses: {
            /** @description The event's presentations now, by start */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresentationJson"][];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is neither `text/calendar` nor `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unparsable, or a presentation is invalid (an unknown room, an end before its start, outside the event); `field` names it (`presentations[2].room`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_statistics: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event's id */
                event_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event's figures */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventStatisticsJson"];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_location: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewLocationJson"];
            };
        };
        responses: {
            /** @description Accepted: durably queued, stored shortly */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AcceptedLocationJson"];
                };
            };
            /** @description The body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The person paused sharing their location: the ping is not kept; do not resend it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not declared as JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field is missing, unknown or invalid, or the person does not exist; `field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The ping was not accepted (the stream is unavailable); retry with the same `event_id` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_location: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The location's id (a positive integer) */
                location_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The location */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocationJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such location */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_persons: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All persons, ordered by id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonJson"][];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_person: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewPersonJson"];
            };
        };
        responses: {
            /** @description Created; `Location` names the new person */
            201: {
                headers: {
                    /** @description URL of the new person */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonJson"];
                };
            };
            /** @description The body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not declared as JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field is missing, unknown or invalid; `field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_person: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id (a positive integer) */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The person */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    erase_person: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The erasure is queued and will be carried out by every service within seconds; until then the person's routes answer as before */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErasureJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person (or already erased) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The erasure could not be queued; nothing was erased; retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_attendance: {
        parameters: {
            query: {
                /** @description The event's id (a positive integer) */
                event: number;
            };
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What the person attended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttendanceJson"];
                };
            };
            /** @description A parameter is missing or invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person or event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    find_connections: {
        parameters: {
            query: {
                /**
                 * @description First day, YYYY-MM-DD (UTC midnight, inclusive)
                 * @example 2020-01-01
                 */
                start_date: string;
                /**
                 * @description Last day, YYYY-MM-DD (UTC midnight, exclusive for the person's own pings)
                 * @example 2020-12-30
                 */
                end_date: string;
                /**
                 * @description Radius in metres on the WGS 84 spheroid, 0 to 10000; default 5
                 * @example 5
                 */
                distance?: number;
            };
            header?: never;
            path: {
                /** @description The person's id (a positive integer) */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The connections, ordered by (own ping, other ping), streamed as they are found. A client that takes none of the answer for 30 seconds (the server's `LOCATIONS_READ_STALL_LIMIT`) has it cut short, the array left unterminated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionJson"][];
                };
            };
            /** @description A parameter is missing, unknown or invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    find_contacts: {
        parameters: {
            query: {
                /**
                 * @description Start of the person's own pings: an ISO-8601 date-time (naive means UTC) or a date (its midnight UTC), inclusive
                 * @example 2020-08-15
                 */
                start: string;
                /**
                 * @description End of the person's own pings, exclusive: an ISO-8601 date-time, or a date meaning the end of that day; at most 31 days after start
                 * @example 2020-08-18
                 */
                end: string;
                /**
                 * @description Encounter radius in metres, 0 to 50; default 10
                 * @example 10
                 */
                distance?: number;
                /**
                 * @description Encounter window and largest gap within a meeting: whole seconds or an ISO-8601 duration (PT10M), at most 1 hour; default 600
                 * @example PT10M
                 */
                window?: string;
                /**
                 * @description Leave out meetings shorter than this (people merely passing by), and contacts left with none: whole seconds or an ISO-8601 duration, at most 1 day; default 0
                 * @example PT1M
                 */
                min_duration?: string;
                /**
                 * @description Contacts per page, 1 to 100; default 20
                 * @example 20
                 */
                limit?: number;
                /** @description `next_cursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The person's id (a positive integer) */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of contacts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactsPageJson"];
                };
            };
            /** @description A parameter is missing, unknown or invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_devices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The devices */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceJson"][];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revoke_device: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
                /** @description The device's id (a UUID) */
                device_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The device, revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceJson"];
                };
            };
            /** @description The person id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The person has no such device */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_enrollment_code: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The code, shown only now */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentCodeJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    export_person: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The person's data, streamed as it is read. A client that takes none of it for 30 seconds (the server's `LOCATIONS_READ_STALL_LIMIT`) has it cut short, the document left unterminated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonExportJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_privacy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The person's choices */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivacyJson"];
                };
            };
            /** @description The id is not a positive integer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    set_privacy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PrivacyJson"];
            };
        };
        responses: {
            /** @description The choices as now recorded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivacyJson"];
                };
            };
            /** @description The id is not a positive integer, or the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body stopped arriving for 5 s; send it whole */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not declared as JSON */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field is missing, unknown or not a boolean; `field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    find_shared: {
        parameters: {
            query: {
                /** @description The event's id (a positive integer) */
                event: number;
                /** @description Entries per page, 1 to 100; default 20 */
                limit?: number;
                /** @description `next_cursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The person's id */
                person_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of attendees, ranked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SharedPageJson"];
                };
            };
            /** @description A parameter is missing or invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such person or event */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_presentation_attendees: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The presentation's id */
                presentation_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The presentation and its attendees */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresentationAttendeesJson"];
                };
            };
            /** @description A path or query parameter is invalid; `field` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such presentation */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_session: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionJson"];
                };
            };
            /** @description No token, or one that is expired, forged or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests from this phone, person or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A backing service is unavailable, or the request took longer than the API allows; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
