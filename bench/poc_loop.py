#!/usr/bin/env python3
"""The proof of concept's connection loop run through psycopg2 itself, for one
person of the connection benchmark's data, to check that the benchmark's
replay (crates/bench/src/proof_of_concept.rs) sends PostgreSQL the same work.

Run after `udaconnect-bench connections` has made its data (the database
`udaconnect_bench_connections` holds the proof of concept's tables in schema
`poc`):

    pip install psycopg2-binary
    python3 bench/poc_loop.py PERSON [LIBPQ_OPTIONS]   # e.g. 7734 "-c jit=off"

Like `ConnectionService.find_contacts`: the person's pings and every person in
one transaction, then one query per ping with the values interpolated by
psycopg2, each rolled back as SQLAlchemy's pool does. It prints the whole
time, the rows found and the median time of one query.
"""

import sys
import time
from datetime import datetime, timedelta

import psycopg2

QUERY = """
        SELECT  person_id, id, ST_X(coordinate), ST_Y(coordinate), creation_time
        FROM    location
        WHERE   ST_DWithin(coordinate::geography,ST_SetSRID(ST_MakePoint(%(latitude)s,%(longitude)s),4326)::geography, %(meters)s)
        AND     person_id != %(person_id)s
        AND     TO_DATE(%(start_date)s, 'YYYY-MM-DD') <= creation_time
        AND     TO_DATE(%(end_date)s, 'YYYY-MM-DD') > creation_time;
        """


def main():
    person = int(sys.argv[1])
    options = "-c search_path=poc,public " + (sys.argv[2] if len(sys.argv) > 2 else "")
    meters, start, end = 5, datetime(2020, 7, 6), datetime(2020, 7, 9)

    def connect():
        return psycopg2.connect(host="127.0.0.1", user="postgres",
                                dbname="udaconnect_bench_connections", options=options)

    session, engine = connect(), connect()
    started = time.time()
    cursor = session.cursor()
    cursor.execute(
        "SELECT location.id, location.person_id, ST_AsText(location.coordinate), location.creation_time "
        "FROM location WHERE location.person_id = %(p)s AND location.creation_time < %(e)s "
        "AND location.creation_time >= %(s)s",
        {"p": person, "e": end, "s": start})
    own = cursor.fetchall()
    cursor.execute("SELECT id, first_name, last_name, company_name FROM person")
    cursor.fetchall()
    rows, times = 0, []
    for _, _, wkt, _ in own:
        # The model's latitude and longitude: slices of the point's WKT.
        latitude, longitude = wkt[wkt.find("(") + 1:wkt.find(")")].split(" ")
        query_started = time.time()
        found = engine.cursor()
        found.execute(QUERY, {
            "person_id": person, "latitude": latitude, "longitude": longitude, "meters": meters,
            "start_date": start.strftime("%Y-%m-%d"),
            "end_date": (end + timedelta(days=1)).strftime("%Y-%m-%d"),
        })
        rows += len(found.fetchall())
        engine.rollback()
        times.append(time.time() - query_started)
    session.rollback()
    times.sort()
    print(f"person {person}: {len(own)} own pings, {rows} rows, {time.time() - started:.1f} s, "
          f"median query {times[len(times) // 2] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
