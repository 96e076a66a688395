/** Versioned schema of the embedded log; each entry runs once, in order, recorded in user_version. */
export const LOG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE topics (
     name TEXT PRIMARY KEY,
     partitions INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE partitions (
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     next_offset INTEGER NOT NULL,
     PRIMARY KEY (topic, partition)
   ) WITHOUT ROWID;
   CREATE TABLE messages (
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     offset INTEGER NOT NULL,
     key TEXT,
     value BLOB NOT NULL,
     headers TEXT,
     timestamp INTEGER NOT NULL,
     PRIMARY KEY (topic, partition, offset)
   ) WITHOUT ROWID;
   CREATE TABLE group_offsets (
     grp TEXT NOT NULL,
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     next_offset INTEGER NOT NULL,
     committed_at INTEGER NOT NULL,
     PRIMARY KEY (grp, topic, partition)
   ) WITHOUT ROWID;
   CREATE TABLE group_members (
     grp TEXT NOT NULL,
     member_id TEXT NOT NULL,
     topics TEXT NOT NULL,
     joined_at INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL,
     PRIMARY KEY (grp, member_id)
   ) WITHOUT ROWID;`,
  // Retention: per-topic settings (retention.ms, retention.bytes), the size of each partition kept
  // current by appends and deletions (so a size check reads one row, not the partition), and the
  // latest reset to the log start of each group and partition (for the group's status).
  `CREATE TABLE topic_configs (
     topic TEXT NOT NULL,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (topic, name)
   ) WITHOUT ROWID;
   ALTER TABLE partitions ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
   UPDATE partitions SET bytes = (
     SELECT coalesce(sum(length(value) + coalesce(length(CAST(key AS BLOB)), 0)
                         + coalesce(length(CAST(headers AS BLOB)), 0)), 0)
     FROM messages m WHERE m.topic = partitions.topic AND m.partition = partitions.partition);
   CREATE TABLE offset_resets (
     grp TEXT NOT NULL,
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     from_offset INTEGER NOT NULL,
     to_offset INTEGER NOT NULL,
     at INTEGER NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (grp, topic, partition)
   ) WITHOUT ROWID;`,
  // Snapshots: what retention folded of a topic's messages before deleting them, so the folded
  // prefix of the log outlives it (see snapshots.ts). Entries are stored in log order (appends at
  // the end of the table) and unique by key (the first of a key wins: the smaller index takes the
  // random inserts); the horizon per partition says how far the snapshot reaches.
  `CREATE TABLE snapshot_topics (
     topic TEXT PRIMARY KEY
   ) WITHOUT ROWID;
   CREATE TABLE snapshot_horizons (
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     horizon INTEGER NOT NULL,
     entries INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (topic, partition)
   ) WITHOUT ROWID;
   CREATE TABLE snapshot_entries (
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     offset INTEGER NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (topic, partition, offset)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX snapshot_entries_by_key ON snapshot_entries (topic, key);`,
];
