/**
 * What ReserveNow and CancelReservation commands leave behind. ReserveNow gets a reservation id when the operator
 * leaves it out (1.6 `reservationId`, 2.x `id`); its answer records the reservation, `reserved` when Accepted,
 * `refused` with the charger's status otherwise; a reserved one holds its EVSE. An accepted CancelReservation marks it
 * `cancelled` and frees the EVSE. Payloads were checked against the command's schema when it was submitted, so they
 * have their version's shape here.
 */
import type { Ports } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Ocpp16CsmsActions } from '../ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '../ocpp/generated/ocpp201.types.ts';
import { isAccepted, isV16, statusOf } from '../command/answer.ts';
import type { Command } from '../command/command.ts';
import type { AnsweredCommand, CommandEffect } from '../command/effects.ts';
import { withRequestId } from '../command/request-id.ts';
import type { ReservationRequest } from './reservation.ts';
import { releaseHold } from './reservation-ends.ts';
import { heldEvseOf, holdOf } from './reserved-evses.ts';

type ReserveNow16 = Ocpp16CsmsActions['ReserveNow']['request'];
/** 2.1's ReserveNow has 2.0.1's fields (its connectorType is a free string). */
type ReserveNow2 = Ocpp201CsmsActions['ReserveNow']['request'];

/** The reservation a ReserveNow payload asks for, in the terms of both versions. */
export const reservationRequestOf = (chargerId: string, protocol: OcppProtocol, payload: unknown): ReservationRequest => {
  if (isV16(protocol)) {
    const p = payload as ReserveNow16;
    return {
      chargerId,
      reservationId: p.reservationId,
      expiry: p.expiryDate,
      connectorId: p.connectorId,
      idToken: p.idTag,
      ...(p.parentIdTag !== undefined ? { groupIdToken: p.parentIdTag } : {}),
    };
  }
  const p = payload as ReserveNow2;
  return {
    chargerId,
    reservationId: p.id,
    expiry: p.expiryDateTime,
    ...(p.evseId !== undefined ? { evseId: p.evseId } : {}),
    ...(p.connectorType !== undefined ? { connectorType: p.connectorType } : {}),
    idToken: p.idToken.idToken,
    idTokenType: p.idToken.type,
    ...(p.groupIdToken ? { groupIdToken: p.groupIdToken.idToken, groupIdTokenType: p.groupIdToken.type } : {}),
  };
};

/** CancelReservation's payload is one field, named alike in every version. */
const reservationIdOfCancel = (command: Command): number => (command.payload as Ocpp16CsmsActions['CancelReservation']['request']).reservationId;

const reserved = async (deps: Ports, { command, result }: AnsweredCommand): Promise<void> => {
  const answer = statusOf(result) ?? 'Unknown';
  const reservation = {
    ...reservationRequestOf(command.chargerId, command.protocol, command.payload),
    commandId: command.commandId,
    answeredAt: deps.now().toISOString(),
    answer,
  };
  if (answer === 'Accepted') {
    const evse = heldEvseOf(reservation);
    const held = await deps.stores.reservations.reserve(reservation);
    // Our start checks refuse other tokens on the EVSE it holds until it ends (reserved-evses.ts).
    if (held && evse !== undefined) await deps.stores.reservations.holdEvse(command.chargerId, evse, holdOf(reservation));
    return;
  }
  if ((await deps.stores.reservations.refuse(reservation)) === 'kept') {
    deps.log.info('ReserveNow refused for an id that holds an accepted reservation: the reservation stays', {
      chargerId: command.chargerId,
      reservationId: reservation.reservationId,
      answer,
    });
  }
};

const cancelled = async (deps: Ports, { command, result }: AnsweredCommand): Promise<void> => {
  if (!isAccepted(result)) return;
  await releaseHold(deps, await deps.stores.reservations.cancel(command.chargerId, reservationIdOfCancel(command), command.commandId, deps.now().toISOString()));
};

export const reservationEffects: Readonly<Record<string, CommandEffect>> = {
  ReserveNow: {
    prepare: async (_deps, { protocol, payload }) => withRequestId(protocol, 'ReserveNow', payload),
    answered: reserved,
  },
  CancelReservation: { answered: cancelled },
};
