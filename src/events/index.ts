/**
 * The events capability: delivery of the event log to subscribers (in-process or through Redis)
 * and the webhook notifier, wired into the services of each API instance.
 */
import { extendServices } from '../app.js';
import { WebhookNotifier } from '../notify/webhook.js';
import { InProcessBus, RedisBus, type EventBus } from './bus.js';
import { EventStream } from './stream.js';

declare module '../services.js' {
  interface Services {
    /** Live delivery of the event log on this instance. */
    eventStream: EventStream;
    /** Posts paused syncs to NOTIFY_WEBHOOK_URL; null when it is not set. */
    notifier: WebhookNotifier | null;
  }
}

extendServices((services) => {
  const bus: EventBus = services.config.redisUrl ? new RedisBus(services.config.redisUrl, services.logger) : new InProcessBus();
  const { pollMs, retentionHours, notifyBaseDelayMs } = services.config.events;
  const stream = new EventStream(services.db, bus, services.logger, { pollMs, retentionMs: retentionHours * 3600_000 });
  services.eventStream = stream;
  // Delivery starts as soon as a write that recorded events commits (the poll is the safety net).
  services.db.onCommitted((unit) => {
    if (unit.events.length > 0) stream.committed();
  });
  services.notifier = services.config.notifyWebhookUrl
    ? new WebhookNotifier(services.db, services.logger, {
        url: services.config.notifyWebhookUrl,
        publicUrl: services.config.publicUrl,
        baseDelayMs: notifyBaseDelayMs,
      })
    : null;
  const notifier = services.notifier;
  if (notifier) stream.onDelivery((deliveries) => notifier.delivered(deliveries));
  services.stoppers.push(async () => {
    await notifier?.stop();
    await stream.stop();
  });
});
