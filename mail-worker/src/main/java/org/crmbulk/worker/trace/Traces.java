package org.crmbulk.worker.trace;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * The trace a send job belongs to, carried from api-service's request through the outbox as the
 * Kafka header {@code traceparent}; and the log fields (MDC) that tie a log line to it.
 */
public final class Traces {

    public static final String TRACE_ID = "traceId";
    public static final String LAUNCH_ID = "launchId";
    /** The piece of work a line is about, e.g. "mail job 7". */
    public static final String WORK = "work";
    public static final String DELIVERY_ID = "deliveryId";

    private static final TextMapGetter<Headers> KAFKA_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return () -> java.util.Arrays.stream(headers.toArray()).map(Header::key).iterator();
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.US_ASCII);
        }
    };

    private Traces() {
    }

    /** The caller's context from a record's headers; the root context when it has none. */
    public static Context fromKafka(Headers headers) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, KAFKA_HEADERS);
    }

    /** Puts the current span's trace ID in the log fields (a no-op outside a trace). */
    public static void logTraceOf(Span span) {
        SpanContext context = span.getSpanContext();
        if (context.isValid()) {
            MDC.put(TRACE_ID, context.getTraceId());
        }
    }

    public static void clearLogFields() {
        MDC.remove(TRACE_ID);
        MDC.remove(LAUNCH_ID);
        MDC.remove(WORK);
        MDC.remove(DELIVERY_ID);
    }
}
