/**
 * What a charger's answers to our commands told us, as operators read it: its configuration (settings) and its
 * latest composite schedule per EVSE. The charger is found in any case; its items are kept under the id as
 * registered.
 */
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import type { CompositeSchedule } from './composite-schedule.ts';
import type { ChargerSetting } from './configuration.ts';

type ReadPage<T> = (registeredId: string, page: PageOptions) => Promise<Page<T>>;

const ofCharger = async <T>(deps: Ports, chargerId: string, page: PageOptions, read: ReadPage<T>): Promise<Outcome<Page<T>>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  return profile ? success(await read(profile.chargerId, page)) : failure('not-found', `No charger ${chargerId}`);
};

/** The charger's settings: 1.6 keys, then 2.x variables by component and variable. */
export const configurationOf = (deps: Ports, chargerId: string, page: PageOptions): Promise<Outcome<Page<ChargerSetting>>> =>
  ofCharger(deps, chargerId, page, (id, p) => deps.stores.configuration.list(id, p));

/** The latest accepted composite schedule of each EVSE asked about, by EVSE id. */
export const compositeSchedulesOf = (deps: Ports, chargerId: string, page: PageOptions): Promise<Outcome<Page<CompositeSchedule>>> =>
  ofCharger(deps, chargerId, page, (id, p) => deps.stores.compositeSchedules.list(id, p));
