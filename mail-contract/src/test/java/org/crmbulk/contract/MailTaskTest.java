package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.activity.MailTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MailTaskTest {

    @Test
    void the_five_task_ids_are_kept_verbatim() {
        assertThat(MailTask.ids()).containsExactly(
                "orsoft.o.crm.Ohakt.posliMailNaVedomi",
                "orsoft.o.crm.Ohakt.posliMailKontaktu",
                "orsoft.o.crm.Ohakt.posliMailZodpovednym",
                "orsoft.o.crm.Ohakt.posliMailUcastnikum",
                "orsoft.o.crm.Ohakt.posliMailUcastnikumAZodpovednym");
    }

    @Test
    void tasks_are_found_by_id_or_alias() {
        assertThat(MailTask.find("orsoft.o.crm.Ohakt.posliMailKontaktu")).contains(MailTask.CONTACT);
        assertThat(MailTask.find("ucastniciAZodpovedni")).contains(MailTask.PARTICIPANTS_AND_RESPONSIBLE);
        assertThat(MailTask.find("CC")).contains(MailTask.CC);
        assertThat(MailTask.find("orsoft.o.crm.Ohakt.posliMail")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(value = {"NULL,INDIVIDUAL", "'',INDIVIDUAL", "' ',INDIVIDUAL", "0,BULK", "1,CLIENT"}, nullValues = "NULL")
    void the_omailul_value_chooses_the_mode(String value, DeliveryMode mode) {
        assertThat(DeliveryMode.fromCodebook(value)).contains(mode);
    }

    @Test
    void any_other_omailul_value_is_never_guessed_at() {
        assertThat(DeliveryMode.fromCodebook("2")).isEmpty();
        assertThat(DeliveryMode.fromCodebook("  ")).isEmpty();
        assertThat(DeliveryMode.fromCodebook("bulk")).isEmpty();
    }
}
