-- es.append, third form: an event's transaction_id is never below its stream head's. The log is ordered by
-- (transaction_id, global_position) and transaction ids are taken at a transaction's first write, not when it gets
-- a stream's lock: an inbox consumer that wrote its inbox row (and so took its id) before waiting for a stream's lock
-- appended its event with an id lower than the head's written meanwhile by a command that got its id later, and
-- readers received version N+1 before version N (a projection then dropped N as already applied). Appending with
-- greatest(own id, head's id) keeps every stream in version order in the log; everything else is 0002's form.
-- Found by the accompaniment journey (a plan's closing and a rescheduling fact from Kafka racing on one stream).
CREATE OR REPLACE FUNCTION es.append(p_tenant text, p_stream text, p_expected text, p_ids text[], p_types text[], p_versions integer[],
                          p_data text, p_meta text)
RETURNS TABLE (
  status text, actual integer, global_position bigint, transaction_id xid8, stream_id text, stream_version integer,
  event_id text, type text, schema_version integer, data jsonb, metadata jsonb, recorded_at text,
  previous_hash text, hash text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_n integer := coalesce(cardinality(p_ids), 0);
  v_data text[] := string_to_array(p_data, E'\x1f');
  v_meta text[] := string_to_array(p_meta, E'\x1f');
  v_shared_meta boolean := cardinality(v_meta) = 1;
  v_shared jsonb;
  v_current integer;
  v_prev text;
  v_first_prev text;
  v_now timestamptz := date_trunc('milliseconds', clock_timestamp());
  v_now_text text;
  v_stream_json text := to_json(p_stream)::text;
  v_tenant_json text := to_json(p_tenant)::text;
  v_hashes text[];
  v_prevs text[];
  v_head_tx xid8;
  v_tx xid8;
BEGIN
  IF v_n = 0 OR cardinality(p_types) <> v_n OR cardinality(p_versions) <> v_n OR cardinality(v_data) <> v_n
     OR NOT (v_shared_meta OR cardinality(v_meta) = v_n) THEN
    RAISE EXCEPTION 'es.append: % event ids, % types, % schema versions, % data, % metadata',
      v_n, cardinality(p_types), cardinality(p_versions), cardinality(v_data), cardinality(v_meta) USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended(p_tenant || E'\x1f' || p_stream, 7));

  SELECT e.stream_version, e.hash, e.transaction_id INTO v_current, v_prev, v_head_tx
    FROM es.events e WHERE e.tenant_id = p_tenant AND e.stream_id = p_stream
    ORDER BY e.stream_version DESC LIMIT 1;
  v_current := coalesce(v_current, 0);
  v_prev := coalesce(v_prev, repeat('0', 64));

  -- One probe of the unique (tenant_id, event_id) index per id, whatever the statistics say: a plan that scans the
  -- tenant's events instead makes every append cost as much as the tenant is large.
  IF EXISTS (SELECT 1 FROM unnest(p_ids) AS i(id)
              CROSS JOIN LATERAL (SELECT 1 FROM es.events e WHERE e.tenant_id = p_tenant AND e.event_id = i.id LIMIT 1) AS hit) THEN
    RETURN QUERY SELECT 'existing'::text, v_current, e.global_position, e.transaction_id, e.stream_id, e.stream_version,
        e.event_id, e.type, e.schema_version, e.data, e.metadata,
        to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), e.previous_hash, e.hash
      FROM es.events e WHERE e.tenant_id = p_tenant AND e.event_id = ANY (p_ids);
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
  -- Never below the stream's head: a transaction that took its id before waiting for this lock (an inbox consumer
  -- writes its inbox row first) would otherwise sort before the head in the log and reach readers out of version
  -- order. The head's writer has committed (it held this lock until then), so the row still becomes visible only once
  -- this transaction ends (readers take transaction_id < pg_snapshot_xmin, and xmin passes the head only after us).
  v_tx := greatest(pg_current_xact_id(), v_head_tx);
  v_first_prev := v_prev;
  FOR i IN 1..v_n LOOP
    v_prev := encode(sha256(convert_to(v_prev || '{"data":' || v_data[i] || ',"eventId":' || to_json(p_ids[i])::text
      || ',"metadata":' || v_meta[CASE WHEN v_shared_meta THEN 1 ELSE i END] || ',"recordedAt":"' || v_now_text
      || '","schemaVersion":' || p_versions[i] || ',"streamId":' || v_stream_json || ',"streamVersion":' || (v_current + i)
      || ',"tenantId":' || v_tenant_json || ',"type":' || to_json(p_types[i])::text || '}', 'UTF8')), 'hex');
    v_hashes[i] := v_prev;
  END LOOP;

  v_prevs := array_prepend(v_first_prev, v_hashes[1:v_n - 1]);
  -- Shared metadata is parsed once, not once per event.
  IF v_shared_meta THEN
    v_shared := v_meta[1]::jsonb;
    v_meta := NULL;
  END IF;

  -- Stream id, event ids, types, data and metadata are the caller's own: only what the store decided comes back.
  RETURN QUERY
  INSERT INTO es.events AS ev (tenant_id, stream_id, stream_version, event_id, type, schema_version, data, metadata,
                               recorded_at, previous_hash, hash, transaction_id)
  SELECT p_tenant, p_stream, v_current + a.i::integer, a.e, a.t, a.v, a.d::jsonb, coalesce(v_shared, a.m::jsonb), v_now, a.p, a.h, v_tx
    FROM unnest(p_ids, p_types, p_versions, v_data, v_meta, v_prevs, v_hashes) WITH ORDINALITY AS a(e, t, v, d, m, p, h, i)
  RETURNING 'ok'::text, v_current + v_n, ev.global_position, ev.transaction_id, NULL::text, ev.stream_version,
            NULL::text, NULL::text, NULL::integer, NULL::jsonb, NULL::jsonb, v_now_text, ev.previous_hash, ev.hash;
END;
$$;
REVOKE ALL ON FUNCTION es.append(text, text, text, text[], text[], integer[], text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION es.append(text, text, text, text[], text[], integer[], text, text) TO tremplin_app;
