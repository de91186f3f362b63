/**
 * The operational state an operator asked for with ChangeAvailability (1.6 `type`, 2.x `operationalStatus`), as the
 * charger took it: `Accepted` (it applies now) or `Scheduled` (it applies once the transactions under way end). It is
 * kept on the connector item it names, beside the status the charger reports; that status (StatusNotification) stays
 * the truth of whether the change has taken effect (e.g. `Unavailable` after Inoperative). Pure: derived here from the
 * command and its validated answer.
 *
 * Which item: 1.6 connector 0 and a 2.x request without an EVSE (or EVSE 0) name the charger as a whole, kept on EVSE 0
 * connector 0 (where 1.6 connector 0's status is); 1.6 connector N is EVSE N connector 1 (connector-status.ts); a 2.x
 * EVSE without a connector is the whole EVSE, kept on its connector 0.
 */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Ocpp16CsmsActions } from '../ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '../ocpp/generated/ocpp201.types.ts';
import { connectorOfV16, type ConnectorRef } from './connector-status.ts';

export type OperationalStatus = 'Operative' | 'Inoperative';

/** The answers that take the change; `Rejected` leaves nothing. */
const TAKEN = ['Accepted', 'Scheduled'] as const;
export type AvailabilityAnswer = (typeof TAKEN)[number];

/** What a connector item keeps of the latest ChangeAvailability the charger took for it. */
export interface ConnectorAvailability {
  readonly availability: OperationalStatus;
  readonly availabilityAnswer: AvailabilityAnswer;
  /** The command that asked for it. */
  readonly availabilityRequestedBy: string;
  /** When the charger's answer arrived: of two answers, the later one stays. */
  readonly availabilityAnsweredAt: string;
}

export interface AvailabilityChange extends ConnectorRef, ConnectorAvailability {
  /** The charger, as registered. */
  readonly chargerId: string;
  /** 1.6: the connector number as the charger names it. */
  readonly ocppConnectorId?: number;
}

type Request16 = Ocpp16CsmsActions['ChangeAvailability']['request'];
/** 2.1's ChangeAvailability has 2.0.1's fields. */
type Request2 = Ocpp201CsmsActions['ChangeAvailability']['request'];

interface Target {
  readonly ref: ConnectorRef;
  readonly availability: OperationalStatus;
  readonly ocppConnectorId?: number;
}

const targetOf16 = (payload: unknown): Target => {
  const { connectorId, type } = payload as Request16;
  return { ref: connectorOfV16(connectorId), availability: type, ocppConnectorId: connectorId };
};

const targetOf2 = (payload: unknown): Target => {
  const { evse, operationalStatus } = payload as Request2;
  const ref = !evse || evse.id === 0 ? { evseId: 0, connectorId: 0 } : { evseId: evse.id, connectorId: evse.connectorId ?? 0 };
  return { ref, availability: operationalStatus };
};

export interface AnsweredAvailability {
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly commandId: string;
  /** The request as recorded (checked against its schema when the command was submitted). */
  readonly payload: unknown;
  /** The answer's `status`. */
  readonly answer: string | undefined;
  readonly answeredAt: string;
}

const isTaken = (answer: string | undefined): answer is AvailabilityAnswer => (TAKEN as readonly (string | undefined)[]).includes(answer);

/** The change an answered ChangeAvailability makes; none when the charger rejected it. */
export const availabilityChangeOf = (answered: AnsweredAvailability): AvailabilityChange | undefined => {
  if (!isTaken(answered.answer)) return undefined;
  const { ref, availability, ocppConnectorId } = (answered.protocol === 'ocpp1.6' ? targetOf16 : targetOf2)(answered.payload);
  return {
    chargerId: answered.chargerId,
    ...ref,
    ...(ocppConnectorId !== undefined ? { ocppConnectorId } : {}),
    availability,
    availabilityAnswer: answered.answer,
    availabilityRequestedBy: answered.commandId,
    availabilityAnsweredAt: answered.answeredAt,
  };
};
