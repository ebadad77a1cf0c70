package org.crmbulk.api.problem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every JSON body is read strictly, whatever record it becomes: a value of the wrong JSON type is refused
 * (no "123" for a number, no 123 for a text, no 1.5 for an integer), and no string, object key or untyped
 * value anywhere may hold NUL (U+0000, which PostgreSQL cannot store) or a broken surrogate pair.
 * Refusals name the field ({@link ProblemMappers}).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** A string the service cannot store; {@code reason} says why. */
    public static final class TextRefused extends MismatchedInputException {
        private final String reason;

        TextRefused(JsonParser p, String reason) {
            super(p, reason, String.class);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.registerModule(new SimpleModule("strict-text")
                .addDeserializer(String.class, new Strings())
                .addDeserializer(Object.class, new Untyped())
                .addKeyDeserializer(String.class, new Keys()));
    }

    /** Why a text cannot be taken, or null when it can. */
    public static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "must not contain NUL (U+0000)";
            }
            if (Character.isHighSurrogate(c) ? i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(++i))
                    : Character.isLowSurrogate(c)) {
                return "must be valid Unicode (a broken surrogate pair)";
            }
        }
        return null;
    }

    static String checked(JsonParser p, String s) throws TextRefused {
        String problem = problem(s);
        if (problem != null) {
            throw new TextRefused(p, problem);
        }
        return s;
    }

    private static final class Strings extends StdDeserializer<String> {
        Strings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                return checked(p, p.getText());
            }
            return (String) ctxt.handleUnexpectedToken(String.class, p);
        }
    }

    private static final class Keys extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            if (key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new TextRefused(ctxt.getParser(), "names must not contain control characters");
            }
            return checked(ctxt.getParser(), key);
        }
    }

    /** Free-form values (custom fields): maps, lists, text, numbers, booleans, with every string and key checked. */
    private static final class Untyped extends StdDeserializer<Object> {
        Untyped() {
            super(Object.class);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return plain(p, ctxt.readTree(p));
        }

        private static Object plain(JsonParser p, JsonNode node) throws TextRefused {
            if (node.isObject()) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    if (e.getKey().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                        throw new TextRefused(p, "names must not contain control characters");
                    }
                    map.put(checked(p, e.getKey()), plain(p, e.getValue()));
                }
                return map;
            }
            if (node.isArray()) {
                List<Object> list = new ArrayList<>();
                for (JsonNode item : node) {
                    list.add(plain(p, item));
                }
                return list;
            }
            if (node.isTextual()) {
                return checked(p, node.textValue());
            }
            if (node.isNumber()) {
                return node.numberValue();
            }
            return node.isBoolean() ? node.booleanValue() : null;
        }
    }
}
