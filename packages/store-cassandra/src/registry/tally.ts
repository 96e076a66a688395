import { RegistryTally } from '@kafka-monitor/domain';

/** A batch's counts, and whether it is being applied again (some message found its own earlier effects). */
export class Tally extends RegistryTally {
  repeated = false;
}
