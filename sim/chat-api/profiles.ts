/**
 * User profiles (`profile/portrait_get`, `portrait_set`): the standard `Tag_Profile_IM_*` fields with the
 * types and limits of the product doc "Profile management", plus the app's custom fields
 * (`Tag_Profile_Custom_<1-8 letters>`) that exist only when configured. Pure and synchronous.
 *
 * Clearing is undocumented. The simulator accepts a field's empty value (`""` for strings, `0` for
 * integers, `Gender_Type_Unknown` for Gender) and treats it as "unset": the field is removed, and
 * `portrait_get` then leaves the tag out of `ProfileItem` (as for a field never set).
 */

export type ProfileValue = string | number;

/** The type of a custom field, fixed when the app configures it. */
export type CustomTagType = 'string' | 'integer';

/** A configured custom field. */
export interface CustomTag {
  tag: string;
  type: CustomTagType;
}

type TagRule =
  | { kind: 'string'; maxBytes: number }
  | { kind: 'uint32' }
  | { kind: 'enum'; values: readonly string[]; empty?: string };

const MAX_STRING_BYTES = 500;
const UINT32_MAX = 4294967295;

/** The standard fields (product doc "Profile management"). */
export const STANDARD_PROFILE_TAGS: Readonly<Record<string, TagRule>> = {
  Tag_Profile_IM_Nick: { kind: 'string', maxBytes: MAX_STRING_BYTES },
  Tag_Profile_IM_Gender: {
    kind: 'enum',
    values: ['Gender_Type_Unknown', 'Gender_Type_Female', 'Gender_Type_Male'],
    empty: 'Gender_Type_Unknown',
  },
  Tag_Profile_IM_BirthDay: { kind: 'uint32' },
  Tag_Profile_IM_Location: { kind: 'string', maxBytes: 16 },
  Tag_Profile_IM_SelfSignature: { kind: 'string', maxBytes: MAX_STRING_BYTES },
  Tag_Profile_IM_AllowType: {
    kind: 'enum',
    values: ['AllowType_Type_NeedConfirm', 'AllowType_Type_AllowAny', 'AllowType_Type_DenyAny'],
  },
  Tag_Profile_IM_Language: { kind: 'uint32' },
  Tag_Profile_IM_Image: { kind: 'string', maxBytes: MAX_STRING_BYTES },
  Tag_Profile_IM_MsgSettings: { kind: 'uint32' },
  Tag_Profile_IM_AdminForbidType: {
    kind: 'enum',
    values: ['AdminForbid_Type_None', 'AdminForbid_Type_SendOut'],
  },
  Tag_Profile_IM_Level: { kind: 'uint32' },
  Tag_Profile_IM_Role: { kind: 'uint32' },
};

/** What a custom tag name must look like. */
export const CUSTOM_TAG_PATTERN = /^Tag_Profile_Custom_[A-Za-z]{1,8}$/;

/** A field value Tencent would refuse, with its code (40009, 40601, 40605, 40610). */
export interface ProfileRefusal {
  code: number;
  detail: string;
}

/** Thrown when configuring a custom tag whose name Tencent would not allow. */
export class InvalidCustomTagError extends Error {
  override readonly name = 'InvalidCustomTagError';
}

interface ProfileState {
  /** account -> (tag -> value), set fields only. */
  byAccount: Map<string, Map<string, ProfileValue>>;
}

/**
 * Every user's set profile fields, and the app's custom-field configuration.
 * @example
 * const profiles = new Profiles([{ tag: 'Tag_Profile_Custom_Hobby', type: 'string' }]);
 * profiles.set('alice', [{ tag: 'Tag_Profile_Custom_Hobby', value: 'chess' }]);
 * profiles.get('alice'); // [{ tag: 'Tag_Profile_Custom_Hobby', value: 'chess' }]
 */
export class Profiles {
  #s: ProfileState = { byAccount: new Map() };
  readonly #custom = new Map<string, CustomTagType>();

  /** @param customTags the app's configured custom fields (names `Tag_Profile_Custom_<1-8 letters>`). */
  constructor(customTags: CustomTag[] = []) {
    for (const { tag, type } of customTags) {
      if (!CUSTOM_TAG_PATTERN.test(tag)) throw new InvalidCustomTagError(`invalid custom tag ${tag}`);
      this.#custom.set(tag, type);
    }
  }

  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as ProfileState);
  }

  /** Whether `tag` is a standard field or a configured custom one. */
  knows(tag: string): boolean {
    return tag in STANDARD_PROFILE_TAGS || this.#custom.has(tag);
  }

  /**
   * Checks one `{Tag, Value}` as portrait_set would: undefined when acceptable.
   * @example
   * profiles.check('Tag_Profile_IM_Gender', 'Gender_Type_Robot'); // { code: 40605, ... }
   */
  check(tag: string, value: unknown): ProfileRefusal | undefined {
    const rule = STANDARD_PROFILE_TAGS[tag];
    const customType = this.#custom.get(tag);
    if (rule === undefined && customType === undefined) {
      return { code: 40009, detail: `unknown or unconfigured tag ${tag}` };
    }
    const effective: TagRule =
      rule ??
      (customType === 'integer' ? { kind: 'uint32' } : { kind: 'string', maxBytes: MAX_STRING_BYTES });
    switch (effective.kind) {
      case 'string':
        if (typeof value !== 'string') return { code: 40610, detail: `${tag} must be a string` };
        if (Buffer.byteLength(value, 'utf8') > effective.maxBytes) {
          return { code: 40601, detail: `${tag} exceeds ${effective.maxBytes} bytes` };
        }
        return undefined;
      case 'uint32':
        if (typeof value !== 'number') return { code: 40610, detail: `${tag} must be an integer` };
        if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
          return { code: 40605, detail: `${tag} must be an unsigned 32-bit integer` };
        }
        return undefined;
      case 'enum':
        if (typeof value !== 'string') return { code: 40610, detail: `${tag} must be a string` };
        if (!effective.values.includes(value)) return { code: 40605, detail: `invalid ${tag} value` };
        return undefined;
    }
  }

  /**
   * Sets checked fields (`portrait_set` after {@link Profiles.check}); an empty value unsets the field.
   * @example
   * profiles.set('alice', [{ tag: 'Tag_Profile_IM_Nick', value: '' }]); // Nick is gone
   */
  set(account: string, items: { tag: string; value: ProfileValue }[]): void {
    let fields = this.#s.byAccount.get(account);
    if (fields === undefined) {
      fields = new Map();
      this.#s.byAccount.set(account, fields);
    }
    for (const { tag, value } of items) {
      if (this.#isEmpty(tag, value)) fields.delete(tag);
      else fields.set(tag, value);
    }
    if (fields.size === 0) this.#s.byAccount.delete(account);
  }

  /** The set fields of `account` (all, or those in `tags`, in `tags` order). */
  get(account: string, tags?: string[]): { tag: string; value: ProfileValue }[] {
    const fields = this.#s.byAccount.get(account) ?? new Map<string, ProfileValue>();
    const wanted = tags ?? [...fields.keys()];
    return wanted.flatMap((tag) => {
      const value = fields.get(tag);
      return value === undefined ? [] : [{ tag, value }];
    });
  }

  #isEmpty(tag: string, value: ProfileValue): boolean {
    const rule = STANDARD_PROFILE_TAGS[tag];
    if (rule?.kind === 'enum') return rule.empty !== undefined && value === rule.empty;
    return value === '' || value === 0;
  }
}
