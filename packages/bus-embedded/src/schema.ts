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
];
