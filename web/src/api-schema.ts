// Generated from docs/openapi.yaml by openapi-typescript; do not edit.
// Regenerate with `npm run generate:api` in web/ whenever the document changes.

export interface paths {
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
         *     connection search. Sending the same `event_id` again stores it once.
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
        /** One location ping. */
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
        /** @description Decimal degrees, as a number or a decimal string */
        Degrees: number | string;
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
             * @description Optional client-chosen UUID: sending the same ping again with the
             *     same id stores it once. Assigned by the server when absent.
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
         *     trimming; unknown fields are rejected.
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
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
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
            /** @description No such location */
            404: {
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
            /** @description No such person */
            404: {
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
            /** @description The connections, ordered by (own ping, other ping) */
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
            /** @description No such person */
            404: {
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
            /** @description No such person */
            404: {
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
