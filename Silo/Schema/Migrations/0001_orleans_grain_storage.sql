-- Grain state for Microsoft.Orleans.Persistence.AdoNet, written to the provider's query contract:
-- it loads the three queries below from OrleansQuery (unquoted, so PostgreSQL folds the names to
-- lower case and the provider's SELECT finds them), binds @ServiceId, @GrainTypeString,
-- @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion and @PayloadBinary, and reads
-- back PayloadBinary and Version (read), NewGrainStateVersion (write) and one scalar (clear).
-- The hash parameters it also binds are unused: the primary key below is the index.

CREATE TABLE OrleansQuery (
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE orleans_grain_state (
    service_id         text        NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NOT NULL,
    payload            bytea,
    version            integer     NOT NULL,
    modified_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

-- Optimistic concurrency: a write names the version it read. Always one row back: the new
-- version, or NULL when another activation wrote first (the provider then raises
-- InconsistentStateException instead of overwriting newer state).
CREATE FUNCTION orleans_write_grain_state(
    p_service_id text, p_grain_type text, p_n0 bigint, p_n1 bigint, p_extension text,
    p_expected_version integer, p_payload bytea)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    new_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
        VALUES (p_service_id, p_grain_type, p_n0, p_n1, p_extension, p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_grain_state
           SET payload = p_payload, version = version + 1, modified_at = now()
         WHERE service_id = p_service_id AND grain_type = p_grain_type
           AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_id_extension = p_extension
           AND version = p_expected_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END
$$;

-- Clearing keeps the row with an empty payload and a new version, so a stale activation cannot
-- recreate the state it had.
CREATE FUNCTION orleans_clear_grain_state(
    p_service_id text, p_grain_type text, p_n0 bigint, p_n1 bigint, p_extension text,
    p_expected_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    new_version integer;
BEGIN
    UPDATE orleans_grain_state
       SET payload = NULL, version = version + 1, modified_at = now()
     WHERE service_id = p_service_id AND grain_type = p_grain_type
       AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_id_extension = p_extension
       AND version = p_expected_version
    RETURNING version INTO new_version;
    RETURN new_version;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey',
 'SELECT payload AS "PayloadBinary", version AS "Version" FROM orleans_grain_state
   WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
     AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
     AND grain_id_extension = COALESCE(@GrainIdExtensionString::text, '''')'),
('WriteToStorageKey',
 'SELECT orleans_write_grain_state(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
     COALESCE(@GrainIdExtensionString::text, ''''), @GrainStateVersion::integer, @PayloadBinary) AS "NewGrainStateVersion"'),
('ClearStorageKey',
 'SELECT orleans_clear_grain_state(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
     COALESCE(@GrainIdExtensionString::text, ''''), @GrainStateVersion::integer)');
