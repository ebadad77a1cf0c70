package org.crmbulk.contract.consent;

/**
 * The public unsubscribe link of a delivery, {@code <public base URL>/u/<token>}: the worker puts it in each campaign
 * message, api-service answers it. The base URL is the one recipients reach, not the API's internal address.
 */
public record UnsubscribeLinks(String publicBaseUrl, UnsubscribeTokens tokens) {

    /** The path prefix of the public pages. */
    public static final String PATH = "/u/";

    public UnsubscribeLinks {
        publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        if (!publicBaseUrl.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            throw new IllegalArgumentException("the public base URL must be an absolute http(s) URL without query or fragment");
        }
    }

    public String url(long deliveryId) {
        return publicBaseUrl + PATH + tokens.sign(deliveryId);
    }
}
