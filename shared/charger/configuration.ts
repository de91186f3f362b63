/**
 * A charger's configuration as its answers to our commands tell it, one setting each: 1.6 configuration keys
 * (GetConfiguration reports them, ChangeConfiguration sets one) and 2.x device-model variables (GetVariables reports
 * them, SetVariables sets them). A report keeps what the charger says it has; a change the charger took (Accepted or
 * RebootRequired) keeps the value we sent. Of two answers about one setting, the later answered wins
 * (configuration-store.ts). A secret (a charger password, log/redact.ts) is kept masked: its value is never stored.
 *
 * Pure: what the stores keep is derived here from the command and its validated answer.
 */
import { isSecretSetting, MASK } from '../log/redact.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { ChangeConfigurationRequest, ChangeConfigurationResponse, GetConfigurationRequest, GetConfigurationResponse } from '../ocpp/generated/ocpp16.types.ts';
import type {
  AttributeEnumType,
  ComponentType,
  GetVariablesRequest,
  GetVariablesResponse,
  SetVariablesRequest,
  SetVariablesResponse,
  VariableType,
} from '../ocpp/generated/ocpp201.types.ts';

export interface ComponentRef {
  readonly name: string;
  readonly instance?: string;
  readonly evse?: { readonly id: number; readonly connectorId?: number };
}

export interface VariableRef {
  readonly name: string;
  readonly instance?: string;
}

/** Which setting: a 1.6 configuration key, or one attribute of a 2.x component's variable. */
export type SettingRef =
  | { readonly key: string }
  | { readonly component: ComponentRef; readonly variable: VariableRef; readonly attributeType: AttributeEnumType };

export type ChargerSetting = SettingRef & {
  /** The charger, as registered. */
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  /** As reported or set; `***` for a secret. Absent when the charger reported the setting without one. */
  readonly value?: string;
  /** The setting holds a secret: its value is never stored. */
  readonly secret?: true;
  /** 1.6: the charger does not let it change (GetConfiguration says; a change it took says it does). */
  readonly readonly?: boolean;
  /** The value was set and applies after the charger's next reboot. */
  readonly rebootRequired?: true;
  /** The command whose answer told us, its action, and when that answer arrived. */
  readonly commandId: string;
  readonly action: string;
  readonly reportedAt: string;
};

/** What one answer says of one setting. */
type SettingFact = SettingRef & { readonly value?: string; readonly readonly?: boolean; readonly rebootRequired?: true };

/** The answer the charger gave to a command of `request`'s payload; both validated against their schemas. */
type Derive = (request: unknown, result: unknown) => SettingFact[];

const component = (c: ComponentType): ComponentRef => ({
  name: c.name,
  ...(c.instance !== undefined ? { instance: c.instance } : {}),
  ...(c.evse ? { evse: { id: c.evse.id, ...(c.evse.connectorId !== undefined ? { connectorId: c.evse.connectorId } : {}) } } : {}),
});

const variable = (v: VariableType): VariableRef => ({ name: v.name, ...(v.instance !== undefined ? { instance: v.instance } : {}) });

type VariableSettingRef = Extract<SettingRef, { component: ComponentRef }>;

/** A 2.x setting; an absent attributeType is Actual (2.0.1 Part 2, GetVariableDataType). */
const variableRef = (item: { component: ComponentType; variable: VariableType; attributeType?: AttributeEnumType }): VariableSettingRef => ({
  component: component(item.component),
  variable: variable(item.variable),
  attributeType: item.attributeType ?? 'Actual',
});

/** A 2.x setting's identity, names compared case-insensitively (identifierString): pairs results with requests. */
const identity = ({ component: c, variable: v, attributeType }: VariableSettingRef): string =>
  JSON.stringify([c.name, c.instance, c.evse?.id, c.evse?.connectorId, v.name, v.instance, attributeType].map((p) => (typeof p === 'string' ? p.toLowerCase() : (p ?? null))));

/** Statuses of a change the charger took: the value is set (2.0.1 SetVariableStatusEnumType, 1.6 ConfigurationStatus). */
const TAKEN = new Set(['Accepted', 'RebootRequired']);
const rebooting = (status: string) => (status === 'RebootRequired' ? { rebootRequired: true as const } : {});

/**
 * Answers tell only what was asked: a key or variable the request did not name is the charger's invention (a hostile
 * one could fill its partition with thousands of settings from one answer), never stored. 1.6 keys are CiString50.
 */
const askedKeys = (request: unknown): Set<string> | undefined => {
  const keys = (request as GetConfigurationRequest).key;
  return keys && keys.length > 0 ? new Set(keys.map((k) => k.toLowerCase())) : undefined;
};

const derivations: Readonly<Record<string, Derive>> = {
  GetConfiguration: (request, result) => {
    const asked = askedKeys(request);
    return ((result as GetConfigurationResponse).configurationKey ?? [])
      .filter((k) => asked === undefined || asked.has(k.key.toLowerCase()))
      .map((k) => ({ key: k.key, readonly: k.readonly, ...(k.value !== undefined ? { value: k.value } : {}) }));
  },
  ChangeConfiguration: (request, result) => {
    const { status } = result as ChangeConfigurationResponse;
    const { key, value } = request as ChangeConfigurationRequest;
    // A key the charger let us change is not read-only.
    return TAKEN.has(status) ? [{ key, value, readonly: false, ...rebooting(status) }] : [];
  },
  GetVariables: (request, result) => {
    // Results echo what they are about, in no promised order: each is paired with its request by that.
    const asked = new Set((request as GetVariablesRequest).getVariableData.map((d) => identity(variableRef(d))));
    return (result as GetVariablesResponse).getVariableResult
      .filter((r) => r.attributeStatus === 'Accepted' && asked.has(identity(variableRef(r))))
      .map((r) => ({ ...variableRef(r), ...(r.attributeValue !== undefined ? { value: r.attributeValue } : {}) }));
  },
  SetVariables: (request, result) => {
    // Results echo what they are about, in no promised order: each is paired with its request by that.
    const sent = new Map((request as SetVariablesRequest).setVariableData.map((d) => [identity(variableRef(d)), d.attributeValue]));
    return (result as SetVariablesResponse).setVariableResult.flatMap((r) => {
      const ref = variableRef(r);
      const value = sent.get(identity(ref));
      return TAKEN.has(r.attributeStatus) && value !== undefined ? [{ ...ref, value, ...rebooting(r.attributeStatus) }] : [];
    });
  },
};

/** Actions whose answers tell us settings. */
export const CONFIGURATION_ACTIONS: readonly string[] = Object.keys(derivations);

const nameOf = (ref: SettingRef): string => ('key' in ref ? ref.key : ref.variable.name);

/** A secret's value never leaves here: it is replaced by the mask, and the setting says it is a secret. */
const masked = (fact: SettingFact): SettingFact & { secret?: true } =>
  isSecretSetting(nameOf(fact)) ? { ...fact, ...(fact.value !== undefined ? { value: MASK } : {}), secret: true } : fact;

export interface AnsweredSettings {
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly commandId: string;
  readonly action: string;
  readonly payload: unknown;
  readonly result: unknown;
  readonly reportedAt: string;
}

/** The settings an answered command tells us, secrets masked; none for an action that tells none. */
export const settingsOf = (answered: AnsweredSettings): ChargerSetting[] => {
  const derive = Object.hasOwn(derivations, answered.action) ? derivations[answered.action] : undefined;
  if (!derive) return [];
  const { chargerId, protocol, commandId, action, reportedAt } = answered;
  return derive(answered.payload, answered.result).map((fact) => ({ ...masked(fact), chargerId, protocol, commandId, action, reportedAt }));
};
