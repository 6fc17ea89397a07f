import { route } from '../route.js';

/**
 * Prometheus metrics of this process: the media pipeline's counters, event-loop delay, memory.
 * Counters only, nothing about conversations or people, so it is open like /healthz (bind the
 * port to an internal network, as for any metrics endpoint).
 */
export const metricsRoutes = [
  route({
    method: 'GET',
    url: '/metrics',
    summary: 'Process and media pipeline metrics (Prometheus text format)',
    tags: ['operations'],
    access: 'public',
    async handler({ services, reply }) {
      const media = services.media.stats();
      const memory = process.memoryUsage();
      const lines = [
        metric('capstan_media_conversations', 'gauge', 'Conversations with live media', media.conversations),
        metric('capstan_media_sources', 'gauge', 'Open media sources', media.sources),
        metric('capstan_media_frames_received_total', 'counter', 'Audio frames received', media.framesReceived),
        metric('capstan_media_frames_rejected_total', 'counter', 'Audio frames refused (bad payload, timestamp too far ahead)', media.framesRejected),
        metric('capstan_media_frames_duplicate_total', 'counter', 'Audio frames received twice', media.duplicates),
        metric('capstan_media_frames_late_total', 'counter', 'Audio frames received after their time was rendered', media.framesLate),
        metric('capstan_media_blob_writes_total', 'counter', 'Write operations on the blob store by live recordings', media.writes),
        metric('capstan_media_recordings_finished_total', 'counter', 'Recordings finished', media.recordingsFinished),
        metric('capstan_event_loop_delay_p99_seconds', 'gauge', 'Event-loop delay p99 over the last 5 to 10 seconds', services.eventLoop.p99Seconds()),
        metric('process_resident_memory_bytes', 'gauge', 'Resident memory', memory.rss),
        metric('process_heap_used_bytes', 'gauge', 'V8 heap in use', memory.heapUsed),
      ];
      reply.type('text/plain; version=0.0.4');
      return lines.join('');
    },
  }),
];

function metric(name: string, type: 'gauge' | 'counter', help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}
