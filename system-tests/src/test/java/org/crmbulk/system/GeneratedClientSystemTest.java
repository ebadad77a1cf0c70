package org.crmbulk.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.crmbulk.client.ApiClient;
import org.crmbulk.client.ApiException;
import org.crmbulk.client.api.BulkActionsApi;
import org.crmbulk.client.api.ContactsApi;
import org.crmbulk.client.api.LaunchesApi;
import org.crmbulk.client.api.MarketingListsApi;
import org.crmbulk.client.model.BulkAction;
import org.crmbulk.client.model.BulkActionRequest;
import org.crmbulk.client.model.Contact;
import org.crmbulk.client.model.ContactRequest;
import org.crmbulk.client.model.ContentVersion;
import org.crmbulk.client.model.Launch;
import org.crmbulk.client.model.LaunchRequest;
import org.crmbulk.client.model.LaunchStatus;
import org.crmbulk.client.model.ListRequest;
import org.crmbulk.client.model.MarketingList;
import org.crmbulk.client.model.MembersRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract is good enough to build on: a Java client generated from openapi.yaml by a standard generator
 * (OpenAPI Generator, java/native, at build time) compiles and runs a campaign against the packaged service.
 */
class GeneratedClientSystemTest {

    private static Stack stack;
    private static ApiClient client;

    @BeforeAll
    static void client() throws Exception {
        stack = Stack.shared();
        client = new ApiClient();
        client.updateBaseUri(stack.api.baseUrl());
        client.setRequestInterceptor(request -> request.header("Authorization", Stack.BEARER));
    }

    @Test
    void a_client_generated_from_the_contract_runs_a_campaign() throws Exception {
        String p = "gen" + UUID.randomUUID().toString().substring(0, 6);
        ContactsApi contacts = new ContactsApi(client);
        Contact jana = contacts.createContact(new ContactRequest().email(p + "-jana@example.cz").firstName("Jana")
                .customFields(Map.of("city", "Brno")));
        Contact petr = contacts.createContact(new ContactRequest().email(p + "-petr@example.cz").firstName("Petr"));
        MarketingListsApi lists = new MarketingListsApi(client);
        MarketingList list = lists.createList(new ListRequest().name("Generated " + p));
        lists.addMembers(list.getId(), new MembersRequest().contactIds(List.of(jana.getId(), petr.getId())));
        BulkAction action = new BulkActionsApi(client).createBulkAction(new BulkActionRequest().name("Gen").from("shop@example.cz")
                .fromName("Obchod").subject("Ahoj {contact.firstName}").textBody("Z {contact.custom.city}"));

        LaunchesApi launches = new LaunchesApi(client);
        Launch accepted = launches.launch(new LaunchRequest().bulkActionId(action.getId()).listIds(List.of(list.getId())), p);
        assertThat(launches.launch(new LaunchRequest().bulkActionId(action.getId()).listIds(List.of(list.getId())), p).getId())
                .as("the Idempotency-Key header goes through the generated client").isEqualTo(accepted.getId());
        await().atMost(Duration.ofSeconds(30)).until(() -> launches.getLaunch(accepted.getId()).getStatus() == LaunchStatus.COMPLETED);

        Launch done = launches.getLaunch(accepted.getId());
        assertThat(done.getCounters().getSent()).isEqualTo(2);
        assertThat(done.getLists()).singleElement().satisfies(l -> assertThat(l.getName()).isEqualTo("Generated " + p));
        ContentVersion content = launches.getLaunchContent(done.getId());
        assertThat(content.getSubject()).isEqualTo("Ahoj {contact.firstName}");
        assertThat(launches.getDeliveries(done.getId(), null, null, null).getItems()).hasSize(2);
        assertThat(stack.smtp.received().stream().filter(m -> Mails.recipient(m).startsWith(p)).map(Mails::subject))
                .containsExactlyInAnyOrder("Ahoj Jana", "Ahoj Petr");

        assertThatThrownBy(() -> contacts.createContact(new ContactRequest().email("not an address")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("\"field\":\"email\"");
                });
    }
}
