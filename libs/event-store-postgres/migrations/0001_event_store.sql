-- The event store: append-only events per tenant stream, a global log ordered by (writer xid8, position),
-- subscriber checkpoints and snapshots. The app role may INSERT and SELECT events, never UPDATE or DELETE them.
CREATE SCHEMA IF NOT EXISTS es;
GRANT USAGE ON SCHEMA es TO tremplin_app;

CREATE TABLE es.events (
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  -- The writer's transaction id: readers of the global log stay below pg_snapshot_xmin so a transaction that
  -- commits late with a lower position can never be overtaken (docs/decisions/0002-event-store-ordering.md).
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  tenant_id text NOT NULL,
  stream_id text NOT NULL,
  stream_version integer NOT NULL CHECK (stream_version > 0),
  event_id text NOT NULL,
  type text NOT NULL,
  schema_version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL,
  previous_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (tenant_id, stream_id, stream_version),
  UNIQUE (tenant_id, event_id)
);
CREATE INDEX events_log ON es.events (transaction_id, global_position);
GRANT SELECT, INSERT ON es.events TO tremplin_app;

CREATE TABLE es.subscriptions (
  name text PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT '0',
  global_position bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON es.subscriptions TO tremplin_app;

CREATE TABLE es.snapshots (
  tenant_id text NOT NULL,
  stream_id text NOT NULL,
  -- '<category>@<evolve version>': a changed decider finds no snapshot rather than a wrong one.
  snapshot_key text NOT NULL,
  stream_version integer NOT NULL,
  state jsonb NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stream_id, snapshot_key)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON es.snapshots TO tremplin_app;

-- One round trip, one short transaction (or the caller's): lock the stream, recognise a retried append,
-- check the expected version, chain the hashes and insert. Outcomes are rows, not exceptions, so a caller's
-- transaction survives a conflict. p_events: JSON array of {e: id, t: type, v: schema version, d: data,
-- m: metadata, h/x/z: canonical(event) around recordedAt and streamVersion}.
CREATE FUNCTION es.append(p_tenant text, p_stream text, p_expected text, p_events json)
RETURNS TABLE (
  status text, actual integer, global_position bigint, transaction_id xid8, stream_id text, stream_version integer,
  event_id text, type text, schema_version integer, data jsonb, metadata jsonb, recorded_at text,
  previous_hash text, hash text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_current integer;
  v_prev text;
  v_now timestamptz := date_trunc('milliseconds', clock_timestamp());
  v_now_text text;
  v_ids text[];
  v_types text[];
  v_versions integer[];
  v_data jsonb[];
  v_meta jsonb[];
  v_heads text[];
  v_middles text[];
  v_tails text[];
  v_hashes text[];
  v_prevs text[];
  v_n integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_tenant || E'\x1f' || p_stream, 7));
  -- The payload is parsed once, into parallel arrays.
  SELECT array_agg(r.e ORDER BY r.i), array_agg(r.t ORDER BY r.i), array_agg(r.v ORDER BY r.i), array_agg(r.d ORDER BY r.i),
         array_agg(r.m ORDER BY r.i), array_agg(r.h ORDER BY r.i), array_agg(r.x ORDER BY r.i), array_agg(r.z ORDER BY r.i)
    INTO v_ids, v_types, v_versions, v_data, v_meta, v_heads, v_middles, v_tails
    FROM (SELECT row_number() OVER () AS i, * FROM json_to_recordset(p_events)
            AS (e text, t text, v integer, d jsonb, m jsonb, h text, x text, z text)) r;
  v_n := coalesce(array_length(v_ids, 1), 0);

  SELECT e.stream_version, e.hash INTO v_current, v_prev
    FROM es.events e WHERE e.tenant_id = p_tenant AND e.stream_id = p_stream
    ORDER BY e.stream_version DESC LIMIT 1;
  v_current := coalesce(v_current, 0);
  v_prev := coalesce(v_prev, repeat('0', 64));

  IF EXISTS (SELECT 1 FROM es.events e WHERE e.tenant_id = p_tenant AND e.event_id = ANY (v_ids)) THEN
    RETURN QUERY SELECT 'existing'::text, v_current, e.global_position, e.transaction_id, e.stream_id, e.stream_version,
        e.event_id, e.type, e.schema_version, e.data, e.metadata,
        to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), e.previous_hash, e.hash
      FROM es.events e WHERE e.tenant_id = p_tenant AND e.event_id = ANY (v_ids);
    RETURN;
  END IF;

  IF (p_expected = 'no-stream' AND v_current <> 0)
     OR (p_expected = 'stream-exists' AND v_current = 0)
     OR (p_expected NOT IN ('any', 'no-stream', 'stream-exists') AND v_current <> p_expected::integer) THEN
    RETURN QUERY SELECT 'conflict'::text, v_current, NULL::bigint, NULL::xid8, NULL::text, NULL::integer, NULL::text,
      NULL::text, NULL::integer, NULL::jsonb, NULL::jsonb, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;

  v_now_text := to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  FOR i IN 1..v_n LOOP
    v_prevs[i] := v_prev;
    v_prev := encode(sha256(convert_to(
      v_prev || v_heads[i] || '"' || v_now_text || '"' || v_middles[i] || (v_current + i)::text || v_tails[i], 'UTF8')), 'hex');
    v_hashes[i] := v_prev;
  END LOOP;

  RETURN QUERY
  INSERT INTO es.events AS ev (tenant_id, stream_id, stream_version, event_id, type, schema_version, data, metadata,
                               recorded_at, previous_hash, hash)
  SELECT p_tenant, p_stream, v_current + a.i::integer, a.e, a.t, a.v, a.d, a.m, v_now, a.p, a.h
    FROM unnest(v_ids, v_types, v_versions, v_data, v_meta, v_prevs, v_hashes) WITH ORDINALITY AS a(e, t, v, d, m, p, h, i)
  -- data and metadata are the caller's own: not sent back.
  RETURNING 'ok'::text, v_current + v_n, ev.global_position, ev.transaction_id, ev.stream_id, ev.stream_version,
            ev.event_id, ev.type, ev.schema_version, NULL::jsonb, NULL::jsonb, v_now_text, ev.previous_hash, ev.hash;
END;
$$;
REVOKE ALL ON FUNCTION es.append(text, text, text, json) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION es.append(text, text, text, json) TO tremplin_app;
