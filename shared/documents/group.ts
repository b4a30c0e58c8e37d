import * as A from '@automerge/automerge';
import { assignKeys } from './assign.ts';
import { GroupSettingsSchema, type GroupDoc, type GroupSettings } from './schema.ts';

/** Server/console: shared settings of a device group. */
export function setGroupSettings(doc: A.Doc<GroupDoc>, patch: Partial<GroupSettings>): A.Doc<GroupDoc> {
  GroupSettingsSchema.partial().parse(patch);
  return A.change(doc, (d) => assignKeys(d.settings, patch));
}
