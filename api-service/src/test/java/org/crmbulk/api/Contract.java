package org.crmbulk.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** openapi.yaml at the top of the repository, read as the tests need it. */
final class Contract {

    static final Path FILE = Path.of("..", "openapi.yaml");
    static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete");

    /** One operation of the contract: its method, path template and the operation node. */
    record Operation(String method, String path, JsonNode node) {
        /** Open to anyone, no bearer token ({@code security: []}): the public unsubscribe pages. */
        boolean isPublic() {
            return node.has("security") && node.get("security").isEmpty();
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private Contract() {
    }

    static JsonNode root() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        root().get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (VERBS.contains(op.getKey())) {
                operations.add(new Operation(op.getKey().toUpperCase(), path.getKey(), op.getValue()));
            }
        }));
        return operations;
    }
}
