"""Java 17: System.getenv, the AWS SDK for Java v2, and the Vault and Conjur HTTP APIs through
java.net.http."""

from __future__ import annotations

from collections.abc import Sequence

from leakwarden.remediate.model import Part
from leakwarden.remediate.snippets.naming import VAULT_MOUNT, camel


def _java_record(parts: Sequence[Part]) -> str:
    return f"public record Credentials({', '.join(f'String {camel(p.env_var)}' for p in parts)}) {{"


def env(parts: Sequence[Part], label: str, path: str) -> str:
    args = ", ".join(f'require("{p.env_var}")' for p in parts)
    return f"""// {label}: read from the environment, never from source code.
{_java_record(parts)}
    public static Credentials fromEnvironment() {{
        return new Credentials({args});
    }}

    private static String require(String name) {{
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {{
            throw new IllegalStateException(name + " is not set");
        }}
        return value;
    }}
}}
"""


def aws(parts: Sequence[Part], label: str, path: str) -> str:
    args = ", ".join(f'secret.get("{p.env_var}").asText()' for p in parts)
    return f"""import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

// {label}: one JSON secret in AWS Secrets Manager, one key per variable
// (AWS SDK for Java v2; Jackson parses the JSON).
{_java_record(parts)}
    public static Credentials fromSecretsManager() throws IOException {{
        try (SecretsManagerClient client = SecretsManagerClient.create()) {{
            GetSecretValueRequest request = GetSecretValueRequest.builder().secretId("{path}").build();
            JsonNode secret = new ObjectMapper().readTree(client.getSecretValue(request).secretString());
            return new Credentials({args});
        }}
    }}
}}
"""


def vault(parts: Sequence[Part], label: str, path: str) -> str:
    args = ", ".join(f'secret.path("{p.env_var}").asText()' for p in parts)
    return f"""import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

// {label}: KV v2 secret "{path}" on the "{VAULT_MOUNT}" mount, read through Vault's HTTP API;
// VAULT_ADDR and VAULT_TOKEN come from the environment.
{_java_record(parts)}
    public static Credentials fromVault() throws IOException, InterruptedException {{
        String address = System.getenv("VAULT_ADDR").replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(address + "/v1/{VAULT_MOUNT}/data/{path}"))
                .header("X-Vault-Token", System.getenv("VAULT_TOKEN"))
                .GET()
                .build();
        HttpResponse<String> response =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {{
            throw new IOException("Vault answered " + response.statusCode());
        }}
        JsonNode secret = new ObjectMapper().readTree(response.body()).path("data").path("data");
        return new Credentials({args});
    }}
}}
"""


def conjur(parts: Sequence[Part], label: str, path: str) -> str:
    args = ", ".join(f'secret(http, token, "{p.secret_id}")' for p in parts)
    return f"""import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

// {label}: one Conjur variable per part, read through the Conjur REST API as the host
// CONJUR_AUTHN_LOGIN with its CONJUR_AUTHN_API_KEY.
{_java_record(parts)}
    private static final String URL = System.getenv("CONJUR_APPLIANCE_URL").replaceAll("/+$", "");
    private static final String ACCOUNT = encode(System.getenv("CONJUR_ACCOUNT"));

    public static Credentials fromConjur() throws IOException, InterruptedException {{
        HttpClient http = HttpClient.newHttpClient();
        String login = encode(System.getenv("CONJUR_AUTHN_LOGIN"));
        URI uri = URI.create(URL + "/authn/" + ACCOUNT + "/" + login + "/authenticate");
        HttpRequest authenticate = HttpRequest.newBuilder(uri)
                .header("Accept-Encoding", "base64")
                .POST(HttpRequest.BodyPublishers.ofString(System.getenv("CONJUR_AUTHN_API_KEY")))
                .build();
        String token = send(http, authenticate);
        return new Credentials({args});
    }}

    private static String secret(HttpClient http, String token, String variableId)
            throws IOException, InterruptedException {{
        URI uri = URI.create(URL + "/secrets/" + ACCOUNT + "/variable/" + encode(variableId));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Token token=\\"" + token + "\\"")
                .GET()
                .build();
        return send(http, request);
    }}

    private static String send(HttpClient http, HttpRequest request)
            throws IOException, InterruptedException {{
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {{
            String path = request.uri().getPath();
            throw new IOException("Conjur answered " + response.statusCode() + " for " + path);
        }}
        return response.body();
    }}

    private static String encode(String value) {{
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }}
}}
"""
