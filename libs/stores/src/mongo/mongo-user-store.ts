import type { Collection, Db, UpdateFilter } from 'mongodb';
import {
  SOCIAL_NETWORKS,
  type NewUser,
  type PasswordHashChange,
  type UserProfileUpdate,
  type UserRecord,
  type UserStore,
} from '../ports/user-store';
import type { Clock } from '../shared/clock';
import { emailKey } from '../shared/email-key';
import { EmailTakenError } from '../shared/errors';
import { probeHealth, type HealthReport } from '../shared/health';
import { newId } from '../shared/ids';
import { MONGO_COLLECTIONS, isDuplicateKey } from './mongo-database';

interface UserDocument {
  _id: string;
  email: string;
  emailKey: string;
  passwordHash: string;
  createdAt: Date;
  theme: UserRecord['theme'];
  socialMedia: UserRecord['socialMedia'];
  /** Absent on accounts whose password never changed (and on those written before it existed). */
  tokensValidFrom?: Date;
}

function toUser(document: UserDocument): UserRecord {
  return {
    id: document._id,
    email: document.email,
    passwordHash: document.passwordHash,
    createdAt: document.createdAt,
    theme: document.theme,
    socialMedia: document.socialMedia,
    tokensValidFrom: document.tokensValidFrom ?? null,
  };
}

export class MongoUserStore implements UserStore {
  private readonly users: Collection<UserDocument>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.users = db.collection<UserDocument>(MONGO_COLLECTIONS.users);
  }

  async create(user: NewUser): Promise<UserRecord> {
    const email = user.email.trim();
    const document: UserDocument = {
      _id: newId(),
      email,
      emailKey: emailKey(email),
      passwordHash: user.passwordHash,
      createdAt: this.clock(),
      theme: user.theme ?? 'light',
      socialMedia: {},
    };
    try {
      await this.users.insertOne(document);
    } catch (error) {
      if (isDuplicateKey(error, 'emailKey')) throw new EmailTakenError();
      throw error;
    }
    return toUser(document);
  }

  async findById(id: string): Promise<UserRecord | null> {
    const document = await this.users.findOne({ _id: id });
    return document ? toUser(document) : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const document = await this.users.findOne({ emailKey: emailKey(email) });
    return document ? toUser(document) : null;
  }

  async updateProfile(id: string, update: UserProfileUpdate): Promise<UserRecord | null> {
    // Dotted paths make the merge one atomic server-side update.
    const set: Record<string, string> = {};
    const unset: Record<string, ''> = {};
    if (update.theme !== undefined) set['theme'] = update.theme;
    for (const network of SOCIAL_NETWORKS) {
      const value = update.socialMedia?.[network];
      if (value === null) unset[`socialMedia.${network}`] = '';
      else if (value !== undefined) set[`socialMedia.${network}`] = value;
    }
    const changes: UpdateFilter<UserDocument> = {
      ...(Object.keys(set).length > 0 && { $set: set }),
      ...(Object.keys(unset).length > 0 && { $unset: unset }),
    };
    if (Object.keys(changes).length === 0) return this.findById(id);
    const document = await this.users.findOneAndUpdate({ _id: id }, changes, {
      returnDocument: 'after',
    });
    return document ? toUser(document) : null;
  }

  async setPasswordHash(id: string, change: PasswordHashChange): Promise<boolean> {
    // The expected hash is in the filter: a single-document update matches and
    // writes atomically, so a concurrent change that landed first leaves none.
    const result = await this.users.updateOne(
      { _id: id, passwordHash: change.from },
      { $set: { passwordHash: change.to, tokensValidFrom: this.clock() } },
    );
    return result.matchedCount > 0;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.users.deleteOne({ _id: id })).deletedCount > 0;
  }

  health(): Promise<HealthReport> {
    return probeHealth('mongodb', () => this.db.command({ ping: 1 }));
  }
}
