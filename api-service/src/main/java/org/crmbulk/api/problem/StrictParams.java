package org.crmbulk.api.problem;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.function.Function;

import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;

/**
 * Every path, query and header parameter is converted here, so a value that does not parse is a 400
 * naming the parameter and the form it must have (JAX-RS would answer 404 or take {@code maybe} as
 * false): integers in range, booleans spelled true or false, ISO-8601 date-times, enum values from
 * their list, and text without control characters or broken Unicode.
 */
@Provider
public class StrictParams implements ParamConverterProvider {

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> ParamConverter<T> getConverter(Class<T> type, Type genericType, Annotation[] annotations) {
        String name = name(annotations);
        if (name == null) {
            return null;
        }
        if (type == long.class || type == Long.class) {
            return (ParamConverter<T>) converter(name, "an integer", Long::valueOf);
        }
        if (type == int.class || type == Integer.class) {
            return (ParamConverter<T>) converter(name, "an integer", Integer::valueOf);
        }
        if (type == boolean.class || type == Boolean.class) {
            return (ParamConverter<T>) converter(name, "true or false", v -> switch (v) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException(v);
            });
        }
        if (type == OffsetDateTime.class) {
            return (ParamConverter<T>) converter(name, "an ISO-8601 date-time with an offset, e.g. 2026-12-01T09:00:00Z",
                    OffsetDateTime::parse);
        }
        if (type.isEnum()) {
            Object[] values = type.getEnumConstants();
            return (ParamConverter<T>) converter(name, "one of " + Arrays.toString(values),
                    v -> Enum.valueOf((Class) type, v));
        }
        if (type == String.class) {
            return (ParamConverter<T>) converter(name, "text without control characters", v -> {
                if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || StrictJson.problem(v) != null) {
                    throw new IllegalArgumentException(v);
                }
                return v;
            });
        }
        return null;
    }

    private static <V> ParamConverter<V> converter(String name, String form, Function<String, V> parse) {
        return new ParamConverter<>() {
            @Override
            public V fromString(String value) {
                if (value == null) {
                    return null;
                }
                try {
                    return parse.apply(value);
                } catch (IllegalArgumentException | DateTimeParseException e) {
                    throw ProblemException.badField(name, "must be " + form).asWebException();
                }
            }

            @Override
            public String toString(V value) {
                return value == null ? null : value.toString();
            }
        };
    }

    private static String name(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a instanceof QueryParam q) {
                return q.value();
            }
            if (a instanceof PathParam p) {
                return p.value();
            }
            if (a instanceof HeaderParam h) {
                return h.value();
            }
            if (a instanceof CookieParam c) {
                return c.value();
            }
        }
        return null;
    }
}
