// The normalizer's views and their maps back to the original text.
#include "text/normalizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "qinglang/normalize.h"

namespace qinglang::detail {
namespace {

std::string folded(std::string_view text) {
  return normalized_views(text).folded;
}
std::string skeleton(std::string_view text) {
  return normalized_views(text).skeleton;
}

TEST(Fold, FullWidthLettersAndDigits) {
  EXPECT_EQ(folded("ＶＸ１２３"), "vx123");
}
TEST(Fold, StyledLetters) {
  EXPECT_EQ(folded("𝐚𝒃𝕔"), "abc");
}
TEST(Fold, CircledLettersAndDigits) {
  EXPECT_EQ(folded("ⓐⓋ①"), "av1");
}
TEST(Fold, NegativeCircledDigits) {
  EXPECT_EQ(folded("❶⓿"), "10");
}
TEST(Fold, SquaredAndRegionalIndicatorLetters) {
  EXPECT_EQ(folded("🅥🇻"), "vv");
}
TEST(Fold, ParenthesizedDigitsKeepTheirParenthesesUntilTheSkeleton) {
  EXPECT_EQ(folded("⑴"), "(1)");
  EXPECT_EQ(skeleton("⑴"), "1");
}
TEST(Fold, UpperCase) {
  EXPECT_EQ(folded("QQ Vx"), "qq vx");
}
TEST(Fold, TraditionalCharactersBecomeSimplified) {
  EXPECT_EQ(folded("網絡廁所開盒"), "网络厕所开盒");
}
TEST(Fold, CyrillicAndGreekLookalikeLetters) {
  EXPECT_EQ(folded("vх qq ρorn"), "vx qq porn");
}
TEST(Fold, InvisibleCharactersDisappear) {
  EXPECT_EQ(folded("开\u200b盒\u200d\u2060\ufeff挂\u202e人\ufe0f"), "开盒挂人");
}
TEST(Fold, PlainChineseIsUnchanged) {
  EXPECT_EQ(folded("今天天气很好"), "今天天气很好");
}
TEST(Fold, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(folded("a\xff"), "a\xEF\xBF\xBD");
}

TEST(Skeleton, DropsPunctuationSymbolsSpacesAndEmoji) {
  EXPECT_EQ(skeleton("代*骂 网.络 加🌹V！"), "代骂网络加v");
}
TEST(Skeleton, KeepsLettersDigitsAndChinese) {
  EXPECT_EQ(skeleton("abc123中文"), "abc123中文");
}

TEST(ViewMap, OriginPointsAtTheSourceCharacter) {
  ViewText f, s;
  std::string text = "網.絡";
  Normalizer::instance().normalize(text, f, s);
  ASSERT_EQ(s.text(), "网络");
  EXPECT_EQ(Normalizer::original_span(s, text, 0, 6), std::make_pair(0u, 7u));
}

TEST(ViewMap, SpanOfAnExpandedCharacterCoversIt) {
  ViewText f, s;
  std::string text = "x⑴y";
  Normalizer::instance().normalize(text, f, s);
  ASSERT_EQ(f.text(), "x(1)y");
  EXPECT_EQ(Normalizer::original_span(f, text, 2, 3), std::make_pair(1u, 4u));
}

TEST(NoiseRun, ShortRunsInsideAMatchAreAllowed) {
  ViewText f, s;
  Normalizer::instance().normalize("开***盒", f, s);
  EXPECT_LE(Normalizer::longest_noise_run(s, 0, static_cast<std::uint32_t>(s.size)), kMaxNoiseRun);
}

TEST(NoiseRun, LongRunsInsideAMatchAreNot) {
  ViewText f, s;
  Normalizer::instance().normalize("开,,,,,,盒", f, s);
  EXPECT_GT(Normalizer::longest_noise_run(s, 0, static_cast<std::uint32_t>(s.size)), kMaxNoiseRun);
}

// Property: any bytes give valid UTF-8 views in which every character's origin lies inside the input.
TEST(NormalizerProperty, RandomBytesGiveValidViewsAndInBoundsOrigins) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 64);
  ViewText f, s;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (int n = length(rng); n > 0; --n)
      text.push_back(static_cast<char>(byte(rng)));
    f.size = s.size = 0;  // normalize appends
    Normalizer::instance().normalize(text, f, s);
    for (const ViewText* view : {&f, &s}) {
      ASSERT_TRUE(is_valid_utf8(view->text()));
      for (std::size_t i = 0; i < view->size; ++i) {
        bool character_start = (static_cast<unsigned char>(view->text()[i]) & 0xC0) != 0x80;
        if (character_start) {
          ASSERT_LT(view->origin(i), text.size());
        }
      }
    }
  }
}

// Property: a text's views are its characters' views one after another, whatever their mix: runs of Chinese,
// of ASCII, punctuation between them, traditional, expanding, invisible and four-byte characters, invalid
// bytes (each one a character, U+FFFD, even where it looks like part of a three-byte character). Each
// character normalized alone is the reference; a text normalized whole goes through the loops that take runs
// of characters at once.
TEST(NormalizerProperty, ViewsAreTheirCharactersViewsInOrder) {
  std::vector<std::string> pieces = {"a",  "Q",  "7",  " ",  "*",  "@",  "[",  "\n",     "中",    "文",
                                     "字", "網", "開", "，", "！", "？", "。", "、",     "“",     "…",
                                     "⑴",  "ｖ", "é",  "ĳ",  "х",  "🌹",  "𝐚",  "\u200b", "\ufe0f"};
  const std::size_t valid_pieces = pieces.size();  // half the texts are valid UTF-8
  // Invalid: a stray continuation byte, a truncated sequence, an overlong form, a surrogate.
  for (const char* invalid : {"\xff", "\x80", "\xe4\xb8", "\xe0\x80\x80", "\xed\xa0\x80", "\xc0\xaf"})
    pieces.push_back(invalid);
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::size_t> count(0, 120);
  const Normalizer& normalizer = Normalizer::instance();
  ViewText f, s, alone_f, alone_s;
  for (int round = 0; round < 3000; ++round) {
    std::uniform_int_distribution<std::size_t> piece(0, (round % 2 == 0 ? valid_pieces : pieces.size()) - 1);
    std::string text;
    for (std::size_t k = count(rng); k > 0; --k)
      text += pieces[piece(rng)];
    f.size = s.size = 0;
    normalizer.normalize(text, f, s);

    std::string folded, skeleton;
    std::vector<std::uint32_t> folded_origins, skeleton_origins;
    std::vector<std::uint8_t> gaps;
    std::uint8_t noise_run = 0;
    for (std::size_t i = 0; i < text.size();) {
      std::size_t length = std::max<std::size_t>(valid_sequence_length(std::string_view(text).substr(i)), 1);
      alone_f.size = alone_s.size = 0;
      normalizer.normalize(std::string_view(text).substr(i, length), alone_f, alone_s);
      for (char c : alone_f.text()) {
        folded += c;
        folded_origins.push_back(static_cast<std::uint32_t>(i));
      }
      if (alone_s.size == 0) {
        if (alone_f.size != 0 && noise_run < 255) ++noise_run;
      } else {
        for (std::size_t b = 0; b < alone_s.size; ++b) {
          skeleton += alone_s.text()[b];
          skeleton_origins.push_back(static_cast<std::uint32_t>(i));
          gaps.push_back(b == 0 ? noise_run : 0);
        }
        noise_run = 0;
      }
      i += length;
    }

    ASSERT_EQ(f.text(), folded) << text;
    ASSERT_EQ(s.text(), skeleton) << text;
    auto character_start = [](std::string_view view, std::size_t i) {
      return (static_cast<unsigned char>(view[i]) & 0xC0) != 0x80;
    };
    for (std::size_t i = 0; i < f.size; ++i) {
      if (character_start(folded, i)) {
        ASSERT_EQ(f.origin(i), folded_origins[i]) << text;
      }
    }
    for (std::size_t i = 0; i < s.size; ++i) {
      if (character_start(skeleton, i)) {
        ASSERT_EQ(s.origin(i), skeleton_origins[i]) << text;
        ASSERT_EQ(s.gap(i), gaps[i]) << text;
      }
    }
  }
}

// Property: the numerals view is the skeleton with each numeral as its digit, keeping the numeral's origin
// and gap, however the numeral came: as itself, folded (貳, ㊀) or inside a longer form (㈠ is (一)).
TEST(NormalizerProperty, TheNumeralsViewIsTheSkeletonWithDigits) {
  const std::vector<std::pair<std::string, char>> numerals = {
      {"一", '1'}, {"二", '2'}, {"贰", '2'}, {"壹", '1'}, {"幺", '1'}, {"〇", '0'}, {"零", '0'}};
  std::vector<std::string> pieces = {"a", "7",      " ",  "*",  "中", "文",  "，",
                                     "🌹", "\u200b", "貳", "㈠", "㊀", "\xff"};
  for (const auto& [numeral, digit] : numerals)
    pieces.push_back(numeral);
  std::mt19937 rng(13);
  std::uniform_int_distribution<std::size_t> count(0, 60), piece(0, pieces.size() - 1);
  const Normalizer& normalizer = Normalizer::instance();
  ViewText f, s, digits;
  std::vector<std::uint32_t> at;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (std::size_t k = count(rng); k > 0; --k)
      text += pieces[piece(rng)];
    f.size = s.size = 0;
    at.clear();
    normalizer.normalize(text, f, s, &at);
    normalizer.numerals(s, at, digits);

    std::string expected;
    std::vector<std::pair<std::uint32_t, std::uint8_t>> expected_marks;  // origin and gap of each character
    std::string_view skeleton = s.text();
    for (std::size_t i = 0; i < skeleton.size();) {
      std::size_t length = std::max<std::size_t>(1, valid_sequence_length(skeleton.substr(i)));
      auto known = std::find_if(numerals.begin(), numerals.end(),
                                [&](const auto& n) { return skeleton.substr(i, length) == n.first; });
      expected_marks.emplace_back(s.origin(i), s.gap(i));
      if (known != numerals.end())
        expected += known->second;
      else
        expected.append(skeleton.substr(i, length));
      i += length;
    }
    ASSERT_EQ(digits.text(), expected) << text;
    std::string_view view = digits.text();
    std::size_t character = 0;
    for (std::size_t i = 0; i < view.size(); ++i) {
      if ((static_cast<unsigned char>(view[i]) & 0xC0) == 0x80) continue;
      ASSERT_EQ(digits.origin(i), expected_marks[character].first) << text;
      ASSERT_EQ(digits.gap(i), expected_marks[character].second) << text;
      ++character;
    }
  }
}

}  // namespace
}  // namespace qinglang::detail
