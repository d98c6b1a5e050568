/** Object refs shared by the schema files, so that each type is defined in one file and used in many. */
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { ConnectionResult } from './connection.js';
import type { TaskRecord } from '../workflow/records.js';
import type { AppRecord, EntitlementRecord, GrantRecord, PolicyRecord, ProfileRecord, UserRecord } from '../directory/records.js';

export const UserRef = builder.objectRef<UserRecord>('User');
export const AppRef = builder.objectRef<AppRecord>('App');
export const EntitlementRef = builder.objectRef<EntitlementRecord>('Entitlement');
export const GrantRef = builder.objectRef<GrantRecord>('Grant');
export const PolicyRef = builder.objectRef<PolicyRecord>('Policy');
export const AccessProfileRef = builder.objectRef<ProfileRecord>('AccessProfile');
export const TaskRef = builder.objectRef<TaskRecord>('Task');

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function connectionOf<T extends object>(type: ObjectRef<Types, T>, name: string): ObjectRef<Types, ConnectionResult<T>> {
  return builder.connectionObject({ type, name: `${name}Connection` }, { name: `${name}Edge` }) as unknown as ObjectRef<Types, ConnectionResult<T>>;
}

export const UserConnection = connectionOf<UserRecord>(UserRef, 'User');
export const AppConnection = connectionOf<AppRecord>(AppRef, 'App');
export const EntitlementConnection = connectionOf<EntitlementRecord>(EntitlementRef, 'Entitlement');
export const GrantConnection = connectionOf<GrantRecord>(GrantRef, 'Grant');
export const AccessProfileConnection = connectionOf<ProfileRecord>(AccessProfileRef, 'AccessProfile');
export const TaskConnection = connectionOf<TaskRecord>(TaskRef, 'Task');
