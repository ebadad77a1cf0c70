package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.crmbulk.testing.NodeRuntime;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml passes a standard OpenAPI linter: Redocly CLI with its recommended rules, errors and warnings
 * alike, so a client generated from it carries no bogus properties (a YAML flow-style description with a
 * comma once became one). Needs Node, which {@link NodeRuntime} finds or fetches.
 */
class ContractLintTest {

    static final String REDOCLY = "@redocly/cli@2.11.1";

    @Test
    void the_contract_is_clean_under_redoclys_recommended_rules() throws Exception {
        Path contract = Contract.FILE.toAbsolutePath().normalize();
        NodeRuntime.Result lint = NodeRuntime.npx(contract.getParent(), Duration.ofMinutes(5), REDOCLY, "lint", "--extends",
                "recommended", "--format", "stylish", contract.getFileName().toString());
        assertThat(lint.exitCode()).as(lint.output()).isZero();
        assertThat(lint.output()).as(lint.output()).doesNotContainPattern("(?i)\\bwarning\\b").contains("valid");
    }
}
