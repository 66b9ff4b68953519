-- Frameworks imported from OSCAL catalogs. Each group and control keeps its own OSCAL JSON
-- (without the groups and controls nested in it), so that an export rebuilds the catalog as
-- it came; the columns beside it are for lists, lookups and order.
CREATE TABLE frameworks (
    id TEXT PRIMARY KEY NOT NULL,
    -- The catalog's own uuid: importing the same catalog again updates this framework.
    catalog_uuid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    oscal_version TEXT NOT NULL,
    -- The catalog object without its groups and controls (uuid, metadata, params, back-matter).
    catalog_json TEXT NOT NULL,
    control_count BIGINT NOT NULL,
    group_count BIGINT NOT NULL,
    built_in TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE framework_groups (
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    position BIGINT NOT NULL,
    -- The position of the enclosing group, if any.
    parent_position BIGINT,
    group_id TEXT,
    title TEXT NOT NULL,
    label TEXT,
    body_json TEXT NOT NULL,
    PRIMARY KEY (framework_id, position)
);

-- A framework's controls (requirements), enhancements included, in document order.
CREATE TABLE requirements (
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    control_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    -- The group it sits in (position), or NULL at the top or inside a control.
    group_position BIGINT,
    -- The control it enhances, if any.
    parent_control TEXT,
    depth BIGINT NOT NULL,
    label TEXT,
    title TEXT NOT NULL,
    body_json TEXT NOT NULL,
    PRIMARY KEY (framework_id, control_id)
);
CREATE INDEX requirements_order ON requirements(framework_id, position);
