import type {
  NewUser,
  PasswordHashChange,
  UserProfileUpdate,
  UserRecord,
  UserStore,
} from '../ports/user-store';
import type { Clock } from '../shared/clock';
import { emailKey } from '../shared/email-key';
import { EmailTakenError } from '../shared/errors';
import { probeHealth, type HealthReport } from '../shared/health';
import { newId } from '../shared/ids';
import { mergeSocialMedia } from '../shared/social-media';
import { inWriteTransaction, isUniqueViolation, type EmbeddedDatabase } from './libsql-database';
import { prepared } from './libsql-statements';

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  theme: UserRecord['theme'];
  social_media: string;
  tokens_valid_from: number | null;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: new Date(row.created_at),
    theme: row.theme,
    socialMedia: JSON.parse(row.social_media) as UserRecord['socialMedia'],
    tokensValidFrom: row.tokens_valid_from === null ? null : new Date(row.tokens_valid_from),
  };
}

const USER_COLUMNS = 'id, email, password_hash, created_at, theme, social_media';
const READ_COLUMNS = `${USER_COLUMNS}, tokens_valid_from`;

export class LibsqlUserStore implements UserStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly clock: Clock,
  ) {}

  async create(user: NewUser): Promise<UserRecord> {
    const record: UserRecord = {
      id: newId(),
      email: user.email.trim(),
      passwordHash: user.passwordHash,
      createdAt: this.clock(),
      theme: user.theme ?? 'light',
      socialMedia: {},
      tokensValidFrom: null,
    };
    try {
      prepared(
        this.db,
        `INSERT INTO users (${USER_COLUMNS}, email_key) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        record.id,
        record.email,
        record.passwordHash,
        record.createdAt.getTime(),
        record.theme,
        JSON.stringify(record.socialMedia),
        emailKey(record.email),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'users.email_key')) throw new EmailTakenError();
      throw error;
    }
    return record;
  }

  async findById(id: string): Promise<UserRecord | null> {
    return this.findRow('id = ?', id);
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    return this.findRow('email_key = ?', emailKey(email));
  }

  async updateProfile(id: string, update: UserProfileUpdate): Promise<UserRecord | null> {
    // Read-merge-write inside one transaction, so two concurrent merges cannot
    // lose each other's keys.
    return inWriteTransaction(this.db, () => {
      const current = this.findRow('id = ?', id);
      if (!current) return null;
      const updated: UserRecord = {
        ...current,
        theme: update.theme ?? current.theme,
        socialMedia: mergeSocialMedia(current.socialMedia, update.socialMedia),
      };
      prepared(this.db, 'UPDATE users SET theme = ?, social_media = ? WHERE id = ?').run(
        updated.theme,
        JSON.stringify(updated.socialMedia),
        id,
      );
      return updated;
    });
  }

  async setPasswordHash(id: string, change: PasswordHashChange): Promise<boolean> {
    // The expected hash is in the condition, so the check and the write are one statement.
    const result = prepared(
      this.db,
      'UPDATE users SET password_hash = ?, tokens_valid_from = ? WHERE id = ? AND password_hash = ?',
    ).run(change.to, this.clock().getTime(), id, change.from);
    return result.changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    return prepared(this.db, 'DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  health(): Promise<HealthReport> {
    return probeHealth('libsql', async () => prepared(this.db, 'SELECT 1').get());
  }

  private findRow(where: string, value: string): UserRecord | null {
    const row = prepared(this.db, `SELECT ${READ_COLUMNS} FROM users WHERE ${where}`).get(value) as
      UserRow | undefined;
    return row ? toUser(row) : null;
  }
}
