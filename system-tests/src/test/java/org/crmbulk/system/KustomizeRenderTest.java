package org.crmbulk.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/** What `kubectl kustomize deploy/k8s/overlays/<env>` renders is deployable as it is. */
class KustomizeRenderTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    void the_overlay_renders_with_probes_secret_references_and_settings_the_services_read(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        assertThat(docs).extracting(d -> d.path("kind").asText())
                .contains("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "ScaledObject",
                        "PodDisruptionBudget", "NetworkPolicy", "KafkaTopic")
                .as("no plain-text Secret in the repository").doesNotContain("Secret");
        assertThat(ofKind(docs, "KafkaTopic")).extracting(t -> t.path("metadata").path("name").asText())
                .as("every topic the services write").contains("crm.mail.send-jobs", "crm.codebooks", "crm.consent", "crm.events");

        for (JsonNode deployment : ofKind(docs, "Deployment")) {
            String name = deployment.path("metadata").path("name").asText();
            String properties = Files.readString(ServiceProcess.ROOT.resolve(name + "/src/main/resources/application.properties"));
            for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
                assertThat(container.path("image").asText()).as(name + " image").matches(".*crm-bulk/" + name + ":\\d+\\.\\d+\\.\\d+");
                for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                    assertThat(container.path(probe).path("httpGet").path("path").asText()).as(name + " " + probe)
                            .startsWith("/q/health/");
                }
                assertThat(container.path("resources").path("limits").path("memory").asText()).as(name + " memory limit").isNotEmpty();
                for (JsonNode env : container.path("env")) {
                    String var = env.path("name").asText();
                    assertThat(properties).as(name + " reads " + var).containsPattern("\\$\\{" + var + "[:}]");
                    if (var.contains("PASSWORD") || var.endsWith("_USER")) {
                        assertThat(env.has("value")).as(var + " comes from a Secret, not a literal").isFalse();
                        assertThat(env.path("valueFrom").has("secretKeyRef")).as(var + " from a Secret").isTrue();
                    }
                }
            }
        }
        JsonNode config = ofKind(docs, "ConfigMap").get(0).path("data");
        String both = Files.readString(ServiceProcess.ROOT.resolve("api-service/src/main/resources/application.properties"))
                + Files.readString(ServiceProcess.ROOT.resolve("mail-worker/src/main/resources/application.properties"));
        config.fieldNames().forEachRemaining(key -> {
            assertThat(key).as("no secret in the ConfigMap").doesNotContain("PASSWORD");
            assertThat(both).as("a service reads " + key).containsPattern("\\$\\{" + key + "[:}]");
        });

        JsonNode worker = ofKind(docs, "Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().equals("mail-worker")).findFirst().orElseThrow();
        assertThat(worker.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asInt())
                .as("room for the worker's 15 s shutdown grace").isGreaterThan(15);
        int partitions = ofKind(docs, "KafkaTopic").stream()
                .filter(t -> t.path("metadata").path("name").asText().equals("crm.mail.send-jobs"))
                .findFirst().orElseThrow().path("spec").path("partitions").asInt();
        assertThat(ofKind(docs, "ScaledObject").get(0).path("spec").path("maxReplicaCount").asInt())
                .as("no more workers than partitions").isLessThanOrEqualTo(partitions);
        JsonNode pendingTrigger = java.util.stream.StreamSupport.stream(ofKind(docs, "ScaledObject").get(0).path("spec").path("triggers")
                .spliterator(), false).filter(t -> t.path("type").asText().equals("postgresql")).findFirst()
                .orElseThrow(() -> new AssertionError("workers scale on running launches' pending recipients too"));
        assertThat(pendingTrigger.path("metadata").path("query").asText()).contains("sum(pending)").contains("RUNNING");
        assertThat(pendingTrigger.path("metadata").path("host").asText()).as("reachable from KEDA's namespace")
                .isEqualTo("postgres." + (overlay.equals("prod") ? "crm" : "crm-dev") + ".svc.cluster.local");
        assertThat(pendingTrigger.path("metadata").path("dbName").asText()).as("the database the services use")
                .isEqualTo(config.path("CRM_DB_URL").asText().replaceAll(".*/", ""));
        JsonNode auth = ofKind(docs, "TriggerAuthentication").stream().filter(a -> a.path("metadata").path("name").asText()
                .equals(pendingTrigger.path("authenticationRef").path("name").asText())).findFirst().orElseThrow();
        assertThat(auth.path("spec").path("secretTargetRef").findValuesAsText("name")).as("its credentials from the Secret")
                .containsOnly("crm-bulk-secrets");
        assertThat(pendingTrigger.path("metadata").has("password")).isFalse();
        if (overlay.equals("prod")) {
            assertThat(config.path("CRM_SMTP_STARTTLS").asText()).as("TLS to the relay in prod").isEqualTo("REQUIRED");
            assertThat(config.path("CRM_DKIM_KEYS").asText()).as("DKIM-signed mail in prod").isNotBlank();
            assertThat(config.path("CRM_WEBHOOKS_REQUIRE_HTTPS").asText()).as("webhooks only over https in prod").isEqualTo("true");
            assertThat(config.has("CRM_WEBHOOKS_ALLOWED_NETWORKS")).as("no private webhook targets in prod").isFalse();
            assertThat(worker.path("spec").path("template").path("spec").path("volumes").toString())
                    .as("the worker's DKIM keys from their Secret").contains("crm-bulk-dkim");
        }
    }

    private static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    private static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Path dir = ServiceProcess.ROOT.resolve("deploy/k8s/overlays").resolve(overlay);
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("kubectl is needed to render deploy/k8s (install kubectl 1.27 or newer)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize: " + out).isZero();
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(out)) {
            YAML.readValues(parser, ObjectNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }
}
