/** What "mark as false alarm" writes as a drift event's label (the device reads it with its next sync). */
export const FALSE_ALARM = 'false_alarm';
